"""warroom's panes: each renders what its messages carry and nothing else."""
