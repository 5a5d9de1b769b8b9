"""mentornet sessions: offers to mentors, scheduled sessions, and their lifecycle."""
