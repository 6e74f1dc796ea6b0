module tessera/cli/native

go 1.19
