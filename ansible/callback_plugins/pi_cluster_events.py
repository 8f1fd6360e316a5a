# -*- coding: utf-8 -*-
# pi-cluster: streams one JSON object per line (task start, per-host result, recap) to the file
# descriptor named by PI_CLUSTER_EVENTS_FD, so `pi-cluster bootstrap` can draw a live per-host view
# while the default callback's readable output goes to the log file. Without that variable it does nothing.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
    name: pi_cluster_events
    type: notification
    short_description: JSON-lines events for pi-cluster's live view
    description:
      - Writes task starts, per-host results and the final recap as JSON lines to the file descriptor in PI_CLUSTER_EVENTS_FD.
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

MAX_MESSAGE = 2000


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "pi_cluster_events"
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._out = None
        fd = os.environ.get("PI_CLUSTER_EVENTS_FD")
        if fd:
            try:
                self._out = os.fdopen(int(fd), "w", buffering=1)
            except (OSError, ValueError):
                self._out = None

    def _emit(self, event, **fields):
        if self._out is None:
            return
        fields["event"] = event
        fields["time"] = round(time.time(), 3)
        try:
            self._out.write(json.dumps(fields, default=str) + "\n")
        except (OSError, ValueError):
            self._out = None

    def v2_playbook_on_play_start(self, play):
        self._emit("play", name=play.get_name().strip())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._emit("task", name=task.get_name().strip(), path=task.get_path())

    def v2_playbook_on_handler_task_start(self, task):
        self._emit("task", name=task.get_name().strip(), handler=True)

    def _result(self, status, result):
        data = result._result if isinstance(result._result, dict) else {}
        message = data.get("msg") or data.get("stderr") or data.get("reason") or ""
        # A command that failed says only "non-zero return code": its own words are in stderr.
        if message == "non-zero return code" and isinstance(data.get("stderr"), str) and data["stderr"].strip():
            message = "exit %s: %s" % (data.get("rc"), data["stderr"].strip())
        if not isinstance(message, str):
            message = json.dumps(message, default=str)
        self._emit(
            "result",
            status=status,
            host=result._host.get_name(),
            task=result._task.get_name().strip(),
            changed=bool(data.get("changed", False)),
            message=message[:MAX_MESSAGE] if status in ("failed", "unreachable") else "",
        )

    def v2_runner_on_ok(self, result):
        self._result("changed" if result._result.get("changed", False) else "ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result("ignored" if ignore_errors else "failed", result)

    def v2_runner_on_skipped(self, result):
        self._result("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._result("unreachable", result)

    def v2_playbook_on_stats(self, stats):
        hosts = {}
        for host in sorted(stats.processed.keys()):
            hosts[host] = stats.summarize(host)
        self._emit("recap", hosts=hosts)
