"""mentornet's embedded default (one machine, one command) and the fixtures that start the real broker."""
