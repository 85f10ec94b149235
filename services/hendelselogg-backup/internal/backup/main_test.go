package backup_test

import (
	"testing"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }
