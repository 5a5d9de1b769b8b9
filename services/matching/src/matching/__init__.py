"""mentornet matching: asks, the federated mentor directory, and the proposals that match them."""
