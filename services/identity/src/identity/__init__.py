"""mentornet identity: member orgs (tenants), users, roles, API clients, tokens and signing keys."""
