"""The pipeline: the only package that knows the order of the stages.

config -> schedule -> fetch -> discover -> extract -> compare -> store -> report

A pass (run_pass) checks every site (site_check: listing pages, feeds and sitemaps, then the first sight of
each new story), then rechecks the tracked stories that are due (recheck). Both gather facts (fetch,
extract), let decide.py say what happened (a closed set of decisions, pure) and let apply.py write, report
and count it. runtime holds what both share: the process's Runtime (config, store, HTTP client, extraction
workers, write batch) and the fetch and extract steps.
"""

from monitor.pipeline.recheck import recheck_stories
from monitor.pipeline.runtime import PassReport, Runtime
from monitor.pipeline.site_check import check_site, run_pass, selected_sites

__all__ = ["Runtime", "PassReport", "check_site", "recheck_stories", "run_pass", "selected_sites"]
