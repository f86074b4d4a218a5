"""The analyses: response emphasis, the article's claims, robustness, agreement, rounds."""
