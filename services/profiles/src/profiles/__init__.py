"""mentornet profiles: people's profiles, and the cards they choose to share."""
