"""Shared helpers of the tests and the benchmarks, so that neither imports the other.

fault_server: a hostile HTTP server; newsite: the sample stories on monitor.newsite's simulated site;
metric: extraction scoring over the development sets; mutations: edits and noise applied to real pages;
configs: config files and the real CLI process. Not installed with the package, and monitor/ never imports
it.
"""
