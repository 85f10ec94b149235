package main

// service is one service of the monorepo as the local stack runs it: its own
// database, and the programs (the service and its traffic simulator) to build
// and start.
type service struct {
	Database string
	Programs []program
}

type program struct {
	Name    string   // prefix of its log lines
	Package string   // main package, relative to the repository root
	Args    []string // command line
	Env     func(Stack, service) []string
}

// services lists what `make run` starts besides Kafka and Postgres.
var services = []service{}
