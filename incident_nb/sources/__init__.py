"""The only layer that reads the outside world: log files, git repositories."""
