"""Running the notebooks: parameters, notebook set-up, ``samendoen reproduce`` and its report."""
