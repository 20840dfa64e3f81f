"""Applications on top of sigconv's public API: the file commands of the CLI."""
