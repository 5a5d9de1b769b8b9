"""mentornet infrastructure shared by every service. No business rules live here."""
