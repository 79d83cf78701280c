"""The `warroom` subcommands: each module adds its parser and runs it."""
