"""The teaching track: self-checks called by name from the lessons, and generated student copies."""
