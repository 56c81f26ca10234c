"""Coverage and targeting: who is reached where, against census population and marginality."""
