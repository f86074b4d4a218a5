"""REFI-QDA exchange: reading, importing and exporting ``.qdpx`` project files of QDA programs."""
