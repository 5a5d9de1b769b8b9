"""mentornet streams: partner delivery of each member org's events."""
