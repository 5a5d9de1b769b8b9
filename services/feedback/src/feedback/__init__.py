"""mentornet feedback: what participants say after a session, and the impact members see."""
