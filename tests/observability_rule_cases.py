"""`promtool test rules` cases for every alert rule the program renders: for each alert one case in which it
fires and at least one in which it stays quiet (a near miss: the wrong label, a value on the safe side of the
threshold, a condition that holds too briefly). Values are derived from the configured thresholds, so a
threshold edit keeps the cases meaningful. Expected annotations are the rule's, with `$labels` filled in."""

from dataclasses import dataclass, field

from config.observability import ThresholdsSpec

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class Case:
    alert: str
    series: tuple[tuple[str, str], ...]  # (series selector with labels, promtool values notation)
    eval_time: str
    fires: bool
    labels: dict[str, str] = field(default_factory=dict)  # labels of the firing alert, severity excluded


def _one(name: str, labels: dict[str, str]) -> str:
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def cases(t: ThresholdsSpec, quorums: dict[str, tuple[str, ...]]) -> list[Case]:
    node = {"instance": "allyrion", "node": "allyrion", "job": "node"}
    root = {**node, "fstype": "ext4", "mountpoint": "/", "device": "/dev/mmcblk0p2"}
    tmpfs = {**root, "fstype": "tmpfs", "mountpoint": "/run", "device": "tmpfs"}
    warn_used, crit_used = t.storage_warning_percent, t.storage_critical_percent
    soc_warn, soc_crit = t.soc_temperature_warning_celsius, t.soc_temperature_critical_celsius
    probe = {"instance": "https://grafana.services.goldentooth.net/api/health", "job": "blackbox-routes",
             "route": "grafana"}
    cert = {**node, "certificate": "grafana"}
    growth = t.journal_growth_bytes_per_hour
    renewer = {**node, "name": "cert-renewer@grafana.service", "state": "failed"}
    timer = {**node, "name": "cert-renewer@grafana.timer"}

    def fs(avail: float, labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
        return ((_one("node_filesystem_avail_bytes", labels), f"{avail:g}x20"),
                (_one("node_filesystem_size_bytes", labels), "100x20"))

    return [
        *quorum_cases(quorums),
        Case("NodeDown", ((_one("up", node), "0x10"),), "6m", True, node),
        Case("NodeDown", ((_one("up", node), "1x10"),), "6m", False),
        Case("NodeDown", ((_one("up", node), "1 1 0 0 0 1 1 1 1 1"),), "6m", False),  # a short blip
        Case("TargetDown", ((_one("up", {"instance": "allyrion", "job": "haproxy"}), "0x10"),), "6m", True,
             {"instance": "allyrion", "job": "haproxy"}),
        Case("TargetDown", ((_one("up", node), "0x10"),), "6m", False),  # node_exporter is NodeDown's
        Case("HighStorageUsage", fs(100 - warn_used - 5, root), "6m", True, root),
        Case("HighStorageUsage", fs(100 - warn_used + 5, root), "6m", False),
        Case("HighStorageUsage", fs(1, tmpfs), "6m", False),
        Case("CriticalStorageUsage", fs((100 - crit_used) / 2, root), "3m", True, root),
        Case("CriticalStorageUsage", fs(100 - warn_used - 5, root), "3m", False),
        Case("InodeUsageHigh", ((_one("node_filesystem_files_free", root), f"{t.inodes_free_warning_percent / 2:g}x20"),
                                (_one("node_filesystem_files", root), "100x20")), "11m", True, root),
        Case("InodeUsageHigh", ((_one("node_filesystem_files_free", root), f"{t.inodes_free_warning_percent * 2:g}x20"),
                                (_one("node_filesystem_files", root), "100x20")), "11m", False),
        Case("RootFilesystemReadOnly", ((_one("node_filesystem_readonly", root), "1x5"),), "2m", True, root),
        Case("RootFilesystemReadOnly", ((_one("node_filesystem_readonly", {**root, "mountpoint": "/boot/firmware"}),
                                         "1x5"),), "2m", False),
        Case("NtpOutOfSync", ((_one("node_timex_sync_status", node), "0x15"),), "11m", True, node),
        Case("NtpOutOfSync", ((_one("node_timex_sync_status", node), "1x15"),), "11m", False),
        Case("SystemdUnitFailed", ((_one("node_systemd_unit_state", {**node, "name": "vector.service",
                                                                     "state": "failed"}), "1x10"),), "6m", True,
             {**node, "name": "vector.service", "state": "failed"}),
        Case("SystemdUnitFailed", ((_one("node_systemd_unit_state", {**node, "name": "vector.service",
                                                                     "state": "failed"}), "0x10"),), "6m", False),
        Case("JournalDiskUsageHigh", ((_one("goldentooth_journal_disk_bytes", node), f"{t.journal_max_bytes * 2}x20"),),
             "16m", True, node),
        Case("JournalDiskUsageHigh", ((_one("goldentooth_journal_disk_bytes", node), f"{t.journal_max_bytes // 2}x20"),),
             "16m", False),
        Case("JournalGrowingFast", ((_one("goldentooth_journal_disk_bytes", node), f"0+{growth * 2 // 60}x120"),),
             "95m", True, node),
        Case("JournalGrowingFast", ((_one("goldentooth_journal_disk_bytes", node), f"0+{growth // 2 // 60}x120"),),
             "95m", False),
        Case("TextfileProbeStale", ((_one("goldentooth_probe_last_run_timestamp_seconds", {**node, "probe": "pi"}),
                                     "0x20"),), "16m", True, {**node, "probe": "pi"}),
        Case("TextfileProbeStale", ((_one("goldentooth_probe_last_run_timestamp_seconds", {**node, "probe": "pi"}),
                                     "0+60x20"),), "16m", False),
        Case("SoCTemperatureHigh", ((_one("goldentooth_soc_temperature_celsius", node), f"{soc_warn + 2:g}x10"),),
             "6m", True, node),
        Case("SoCTemperatureHigh", ((_one("goldentooth_soc_temperature_celsius", node), f"{soc_warn - 10:g}x10"),),
             "6m", False),
        Case("SoCTemperatureCritical", ((_one("goldentooth_soc_temperature_celsius", node), f"{soc_crit + 3:g}x5"),),
             "2m", True, node),
        Case("SoCTemperatureCritical", ((_one("goldentooth_soc_temperature_celsius", node),
                                         f"{(soc_warn + soc_crit) / 2:g}x5"),), "2m", False),
        Case("PiUnderVoltage", ((_one("goldentooth_pi_throttle_flag", {**node, "flag": "under_voltage_now"}), "1x5"),),
             "2m", True, {**node, "flag": "under_voltage_now"}),
        Case("PiUnderVoltage", ((_one("goldentooth_pi_throttle_flag", {**node, "flag": "under_voltage_occurred"}),
                                 "1x5"),), "2m", False),
        Case("PiThrottled", ((_one("goldentooth_pi_throttle_flag", {**node, "flag": "throttled_now"}), "1x10"),),
             "6m", True, {**node, "flag": "throttled_now"}),
        Case("PiThrottled", ((_one("goldentooth_pi_throttle_flag", {**node, "flag": "throttled_now"}), "0x10"),
                             (_one("goldentooth_pi_throttle_flag", {**node, "flag": "frequency_capped_now"}), "0x10")),
             "6m", False),
        Case("FanOffWhileHot", ((_one("goldentooth_soc_temperature_celsius", node),
                                 f"{t.fan_expected_above_celsius + 2:g}x15"),
                                (_one("goldentooth_fan_state", node), "0x15")), "11m", True, node),
        Case("FanOffWhileHot", ((_one("goldentooth_soc_temperature_celsius", node),
                                 f"{t.fan_expected_above_celsius + 2:g}x15"),
                                (_one("goldentooth_fan_state", node), "1x15")), "11m", False),
        Case("CertificateExpiringWarning",
             ((_one("goldentooth_certificate_expiry_timestamp_seconds", cert), "10800x20"),
              (_one("goldentooth_certificate_lifetime_seconds", cert), "86400x20")), "16m", True, cert),
        Case("CertificateExpiringWarning",
             ((_one("goldentooth_certificate_expiry_timestamp_seconds", cert), "80000x20"),
              (_one("goldentooth_certificate_lifetime_seconds", cert), "86400x20")), "16m", False),
        Case("CertificateExpiringCritical",
             ((_one("goldentooth_certificate_expiry_timestamp_seconds", cert),
               f"{t.certificate_critical_hours * 3600 / 2:g}x5"),), "2m", True, cert),
        Case("CertificateExpiringCritical",
             ((_one("goldentooth_certificate_expiry_timestamp_seconds", cert), "80000x5"),), "2m", False),
        Case("CertificateExpiringEmergency",
             ((_one("goldentooth_certificate_expiry_timestamp_seconds", cert), "60x5"),), "2m", True, cert),
        Case("CertificateExpiringEmergency",
             ((_one("goldentooth_certificate_expiry_timestamp_seconds", cert), "3600x5"),), "2m", False),
        Case("CertificateRenewalFailed", ((_one("node_systemd_unit_state", renewer), "1x10"),), "6m", True, renewer),
        Case("CertificateRenewalFailed", ((_one("node_systemd_unit_state", {**renewer, "name": "nginx.service"}),
                                           "1x10"),), "6m", False),
        Case("CertificateRenewalTimerInactive", ((_one("node_systemd_timer_last_trigger_seconds", timer), "0x30"),),
             "26m", True, timer),
        Case("CertificateRenewalTimerInactive", ((_one("node_systemd_timer_last_trigger_seconds", timer),
                                                  "0+60x30"),), "26m", False),
        Case("TLSCertificateExpiringBlackbox", ((_one("probe_ssl_earliest_cert_expiry", probe),
                                                 f"{t.tls_probe_warning_hours * 3600 / 2:g}x10"),), "6m", True, probe),
        Case("TLSCertificateExpiringBlackbox", ((_one("probe_ssl_earliest_cert_expiry", probe),
                                                 f"{t.tls_probe_warning_hours * 3600 * 4:g}x10"),), "6m", False),
        Case("TLSCertificateExpiringCriticalBlackbox", ((_one("probe_ssl_earliest_cert_expiry", probe),
                                                         f"{t.tls_probe_critical_hours * 3600 / 2:g}x5"),),
             "2m", True, probe),
        Case("TLSCertificateExpiringCriticalBlackbox", ((_one("probe_ssl_earliest_cert_expiry", probe),
                                                         f"{t.tls_probe_critical_hours * 3600 * 2:g}x5"),),
             "2m", False),
        Case("ServiceUnavailable", ((_one("probe_success", probe), "0x5"),), "3m", True, probe),
        Case("ServiceUnavailable", ((_one("probe_success", probe), "1x5"),), "3m", False),
        Case("ServiceUnavailable", ((_one("probe_success", {**probe, "job": "other"}), "0x5"),), "3m", False),
        Case("KubernetesApiServerDown", ((_one("up", {"instance": "bettley", "job": "kubernetes-apiserver"}), "0x10"),),
             "6m", True, {"instance": "bettley", "job": "kubernetes-apiserver"}),
        Case("KubernetesApiServerDown", ((_one("up", {"instance": "bettley", "job": "kubernetes-apiserver"}), "1x10"),),
             "6m", False),
        Case("StepCAServerDown", ((_one("probe_success", {"instance": "https://10.4.0.19:9443/health",
                                                          "job": "blackbox-step-ca", "node": "jast"}), "0x5"),),
             "3m", True, {"instance": "https://10.4.0.19:9443/health", "job": "blackbox-step-ca", "node": "jast"}),
        Case("StepCAServerDown", ((_one("probe_success", {"instance": "https://10.4.0.19:9443/health",
                                                          "job": "blackbox-step-ca", "node": "jast"}), "1x5"),),
             "3m", False),
    ]


def quorum_cases(quorums: dict[str, tuple[str, ...]]) -> list[Case]:
    """Per quorum: one member down fires; every member up, with a non-member down, stays quiet."""
    found = []
    for alert, members in sorted(quorums.items()):
        first, rest = members[0], members[1:]
        found.append(Case(alert, ((_one("up", {"instance": first, "job": "node"}), "0x5"),
                                  *((_one("up", {"instance": m, "job": "node"}), "1x5") for m in rest)), "3m", True))
        found.append(Case(alert, (*((_one("up", {"instance": m, "job": "node"}), "1x5") for m in members),
                                  (_one("up", {"instance": "not-a-member", "job": "node"}), "0x5")), "3m", False))
    return found
