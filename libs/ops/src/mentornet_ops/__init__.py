"""The `mentornet` operators' command."""
