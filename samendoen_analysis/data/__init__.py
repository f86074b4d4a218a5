"""Reading, validating and writing a data folder: everything that touches the CSV files on disk."""
