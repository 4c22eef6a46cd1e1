"""Shared helpers of the tests and the benchmarks, so that neither imports the other.

fault_server: a hostile HTTP server; newsite: a fixture news site on 127.0.0.1; metric: extraction scoring
over the development sets; mutations: edits and noise applied to real pages. Not installed with the package,
and monitor/ never imports it.
"""
