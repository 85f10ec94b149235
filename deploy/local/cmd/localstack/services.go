package main

// service is one service of the monorepo as the local stack runs it: its own
// database, and the programs to build and start, in order.
type service struct {
	Database string
	Programs []program
}

type program struct {
	Name    string   // prefix of its log lines
	Package string   // main package, relative to the repository root
	Args    []string // command line
	Env     func(Stack, service) []string
	// Exports marks a program that prints KEY=VALUE lines on stdout, ended by
	// an empty line, before anything else: the environment that points the
	// programs after it at what it serves (fake NAV services, say).
	Exports bool
}

// services lists what `make run` starts besides Kafka and Postgres. Ports:
// hendelselogg-backup 8081, amt-arena-acl 8082, the fake NAV services
// 8091-8094.
var services = []service{
	{
		Database: "hendelselogg_backup",
		Programs: []program{
			{
				Name:    "hendelselogg-backup",
				Package: "./services/hendelselogg-backup/cmd/hendelselogg-backup",
				Env: func(s Stack, svc service) []string {
					return append(s.common(svc), "PORT=8081", "AUTH_DISABLED_LOCAL_ONLY=true")
				},
			},
			{
				Name:    "hendelselogg-simulator",
				Package: "./services/hendelselogg-backup/cmd/simulator",
				Env:     func(s Stack, svc service) []string { return s.common(svc) },
			},
		},
	},
	{
		Database: "amt_arena_acl",
		Programs: []program{
			{
				Name:    "fakenav",
				Package: "./services/amt-arena-acl/cmd/fakenav",
				Env:     func(s Stack, svc service) []string { return s.common(svc) },
				Exports: true,
			},
			{
				Name:    "amt-arena-acl",
				Package: "./services/amt-arena-acl/cmd/amt-arena-acl",
				Env: func(s Stack, svc service) []string {
					// The retry processor runs every 30 s instead of every 10
					// minutes, so a newcomer sees waiting deltakere resolved.
					return append(s.common(svc), "PORT=8082", "RETRY_SCHEDULE=@every 30s", "STATUS_METRICS_SCHEDULE=@every 15s")
				},
			},
			{
				Name:    "amt-arena-simulator",
				Package: "./services/amt-arena-acl/cmd/simulator",
				Env:     func(s Stack, svc service) []string { return s.common(svc) },
			},
		},
	},
}
