"""warroom's benchmarks: `python -m bench` prints JSON figures."""
