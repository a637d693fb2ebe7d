"""Load and crash tools: a server launcher, an HTTP client, consistency checks."""
