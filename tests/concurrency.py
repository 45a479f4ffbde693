"""Two pieces of work at once on PostgreSQL, each in its own connection: the first holds its transaction open a
moment after its work, the second runs in that moment, and the outcome of each (its value or the exception it
raised) is returned. The tests of rules over a set (the quota, reminders sent once) use it to show that the second
waits for the first and sees what it did."""

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from django.db import connection, transaction

# How long the first holds its transaction open after its work: the second's queries run in that time.
HOLD_SECONDS = 0.5


def race(
    first: Callable[[], object],
    second: Callable[[], object],
    *,
    block: Callable[[], AbstractContextManager[object]] = transaction.atomic,
    timeout: float = 30,
) -> dict[str, object]:
    done_first = threading.Event()
    outcomes: dict[str, object] = {}

    def run_first() -> None:
        try:
            with block():
                outcomes["first"] = first()
                done_first.set()
                time.sleep(HOLD_SECONDS)  # still uncommitted: the second runs now
        except BaseException as error:
            outcomes["first"] = error
        finally:
            done_first.set()
            connection.close()

    def run_second() -> None:
        try:
            done_first.wait(10)
            outcomes["second"] = second()
        except BaseException as error:
            outcomes["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return outcomes
