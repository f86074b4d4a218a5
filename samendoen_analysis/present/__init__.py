"""What readers see: Dutch/English labels, deterministic tables and figures."""
