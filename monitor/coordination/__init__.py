"""Several daemons on one PostgreSQL database: membership, host leases, the owned-host work and fencing.

coordinator.py keeps this daemon's membership (a heartbeat timed by the server's clock) and its share of the
hosts; work.py runs the checks of the sites on owned hosts from `sites.next_check_at` and `articles.
next_check_at`; the store side is monitor/store/leases.py (SQL) and monitor/store/fencing.py (every write
confirms its lease). SQLite keeps its single daemon and lock file.
"""

from monitor.coordination.coordinator import CoordinationSettings, Coordinator, coordinated, site_host
from monitor.coordination.work import OwnedWork

__all__ = ["CoordinationSettings", "Coordinator", "OwnedWork", "coordinated", "site_host"]
