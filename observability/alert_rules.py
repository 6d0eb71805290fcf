"""The observability layer's own alert rules: node health, the Raspberry Pi's SoC, certificates and probes.

Thresholds come from `observability.thresholds`. Rules read only metrics this layer produces (node_exporter,
its textfile probes, blackbox) or generic ones every target has (`up`); rules about another layer's metrics
belong to that layer's contributions. Annotations use `$labels` only, so `promtool test rules` cases can state
them exactly (tests/observability/rule_cases.py)."""

from components.contributions import AlertRule, AlertRuleGroup, QuorumCheck
from config.spec import ClusterSpec

# Filesystems that hold data; tmpfs, overlays and the FAT boot partition are not worth a page.
_DATA_FS = 'fstype=~"ext[234]|xfs|btrfs|zfs"'


def _node_rules(spec: ClusterSpec) -> tuple[AlertRule, ...]:
    t = spec.observability.thresholds
    used = f"(1 - node_filesystem_avail_bytes{{{_DATA_FS}}} / node_filesystem_size_bytes{{{_DATA_FS}}}) * 100"
    return (
        AlertRule("NodeDown", 'up{job="node"} == 0', "5m", "critical",
                  "Node {{ $labels.instance }} is down",
                  "node_exporter on {{ $labels.instance }} has not answered for 5 minutes."),
        AlertRule("TargetDown", 'up{job!="node"} == 0', "5m", "warning",
                  "{{ $labels.job }} target {{ $labels.instance }} is down",
                  "Prometheus cannot scrape {{ $labels.job }} on {{ $labels.instance }}."),
        AlertRule("HighStorageUsage", f"{used} > {t.storage_warning_percent:g}", "5m", "warning",
                  "{{ $labels.mountpoint }} on {{ $labels.instance }} is filling up",
                  f"More than {t.storage_warning_percent:g}% of {{{{ $labels.mountpoint }}}} is used."),
        AlertRule("CriticalStorageUsage", f"{used} > {t.storage_critical_percent:g}", "2m", "critical",
                  "{{ $labels.mountpoint }} on {{ $labels.instance }} is nearly full",
                  f"More than {t.storage_critical_percent:g}% of {{{{ $labels.mountpoint }}}} is used."),
        AlertRule("InodeUsageHigh",
                  f"node_filesystem_files_free{{{_DATA_FS}}} / node_filesystem_files{{{_DATA_FS}}} * 100"
                  f" < {t.inodes_free_warning_percent:g}", "10m", "warning",
                  "{{ $labels.mountpoint }} on {{ $labels.instance }} is running out of inodes",
                  f"Less than {t.inodes_free_warning_percent:g}% of the inodes are free."),
        # A dying SD card is remounted read-only by ext4's errors=remount-ro.
        AlertRule("RootFilesystemReadOnly", 'node_filesystem_readonly{mountpoint="/"} == 1', "1m", "critical",
                  "The root filesystem of {{ $labels.instance }} is read-only",
                  "ext4 remounted / read-only after I/O errors: the SD card may be failing."),
        AlertRule("NtpOutOfSync", "node_timex_sync_status == 0", "10m", "warning",
                  "The clock of {{ $labels.instance }} is not synchronised",
                  "The kernel reports the clock unsynchronised; TLS and Raft both need a correct time."),
        AlertRule("SystemdUnitFailed", 'node_systemd_unit_state{state="failed"} == 1', "5m", "warning",
                  "{{ $labels.name }} failed on {{ $labels.instance }}",
                  "systemd reports {{ $labels.name }} in the failed state."),
        AlertRule("JournalDiskUsageHigh", f"goldentooth_journal_disk_bytes > {t.journal_max_bytes}", "15m",
                  "warning", "The journal of {{ $labels.instance }} is large",
                  f"/var/log/journal holds more than {t.journal_max_bytes} bytes."),
        AlertRule("JournalGrowingFast",
                  f"deriv(goldentooth_journal_disk_bytes[1h]) * 3600 > {t.journal_growth_bytes_per_hour}", "30m",
                  "warning", "The journal of {{ $labels.instance }} grows fast",
                  f"The journal grows by more than {t.journal_growth_bytes_per_hour} bytes an hour."),
        AlertRule("TextfileProbeStale", "time() - goldentooth_probe_last_run_timestamp_seconds > 600", "5m",
                  "warning", "The {{ $labels.probe }} probe on {{ $labels.instance }} stopped reporting",
                  "The textfile probe has not run for 10 minutes; its metrics are stale."),
    )


def _pi_rules(spec: ClusterSpec) -> tuple[AlertRule, ...]:
    t = spec.observability.thresholds
    flag = 'goldentooth_pi_throttle_flag{{flag="{}"}} == 1'.format
    return (
        AlertRule("SoCTemperatureHigh", f"goldentooth_soc_temperature_celsius > {t.soc_temperature_warning_celsius:g}",
                  "5m", "warning", "The SoC of {{ $labels.instance }} runs hot",
                  f"The SoC is above {t.soc_temperature_warning_celsius:g} °C."),
        AlertRule("SoCTemperatureCritical",
                  f"goldentooth_soc_temperature_celsius > {t.soc_temperature_critical_celsius:g}", "1m", "critical",
                  "The SoC of {{ $labels.instance }} is at its throttling temperature",
                  f"The SoC is above {t.soc_temperature_critical_celsius:g} °C: the firmware throttles the CPU."),
        AlertRule("PiUnderVoltage", flag("under_voltage_now"), "1m", "critical",
                  "{{ $labels.instance }} is under-voltage",
                  "vcgencmd get_throttled reports under-voltage now: check the power supply and cable."),
        AlertRule("PiThrottled", f"{flag('throttled_now')} or {flag('frequency_capped_now')}", "5m", "warning",
                  "{{ $labels.instance }} is throttled",
                  "vcgencmd get_throttled reports the ARM clock capped or throttled now."),
        AlertRule("FanOffWhileHot",
                  f"goldentooth_soc_temperature_celsius > {t.fan_expected_above_celsius:g}"
                  " and on (instance) goldentooth_fan_state == 0", "10m", "warning",
                  "The fan of {{ $labels.instance }} is off while the SoC is hot",
                  f"Above {t.fan_expected_above_celsius:g} °C the fan should run; it may be stuck or unplugged."),
    )


def _certificate_rules(spec: ClusterSpec) -> tuple[AlertRule, ...]:
    """Leaf certificates live a day (G-xxx: the reference counted days, so `< 2 days` always fired): remaining
    time is measured in hours and against each certificate's own lifetime."""
    t = spec.observability.thresholds
    remaining = "goldentooth_certificate_expiry_timestamp_seconds - time()"
    probe_left = 'probe_ssl_earliest_cert_expiry{job=~"blackbox-.*"} - time()'
    return (
        AlertRule("CertificateExpiringWarning",
                  f"({remaining}) / goldentooth_certificate_lifetime_seconds < {t.certificate_remaining_fraction_warning:g}",
                  "15m", "warning", "{{ $labels.certificate }} on {{ $labels.instance }} was not renewed",
                  "Less than a quarter of the certificate's lifetime is left: its renewals are failing."),
        AlertRule("CertificateExpiringCritical", f"{remaining} < {t.certificate_critical_hours:g} * 3600", "1m",
                  "critical", "{{ $labels.certificate }} on {{ $labels.instance }} expires within hours",
                  f"Less than {t.certificate_critical_hours:g} hours are left."),
        AlertRule("CertificateExpiringEmergency", f"{remaining} <= 0", "0m", "critical",
                  "{{ $labels.certificate }} on {{ $labels.instance }} has expired",
                  "The certificate has expired; its service refuses or fails TLS."),
        AlertRule("CertificateRenewalFailed",
                  'node_systemd_unit_state{name=~"cert-renewer@.+\\\\.service", state="failed"} == 1', "5m",
                  "critical", "{{ $labels.name }} failed on {{ $labels.instance }}",
                  "The certificate renewal service failed."),
        AlertRule("CertificateRenewalTimerInactive",
                  'time() - node_systemd_timer_last_trigger_seconds{name=~"cert-renewer@.+\\\\.timer"} > 900', "10m",
                  "warning", "{{ $labels.name }} on {{ $labels.instance }} stopped firing",
                  "The renewal timer has not fired for 15 minutes (it fires every 5)."),
        AlertRule("TLSCertificateExpiringBlackbox", f"{probe_left} < {t.tls_probe_warning_hours:g} * 3600", "5m",
                  "warning", "{{ $labels.instance }} serves a certificate that expires soon",
                  f"The certificate chain expires within {t.tls_probe_warning_hours:g} hours."),
        AlertRule("TLSCertificateExpiringCriticalBlackbox", f"{probe_left} < {t.tls_probe_critical_hours:g} * 3600",
                  "1m", "critical", "{{ $labels.instance }} serves a certificate about to expire",
                  f"The certificate chain expires within {t.tls_probe_critical_hours:g} hours."),
        # Each probe is its own job named blackbox-<module> (G18: no target overrides the job label).
        AlertRule("ServiceUnavailable", 'probe_success{job=~"blackbox-.*"} == 0', "2m", "critical",
                  "{{ $labels.instance }} is unavailable", "The {{ $labels.job }} probe of {{ $labels.instance }} fails."),
    )


def role_quorums(spec: ClusterSpec) -> dict[str, tuple[str, ...]]:
    """The quorums of the role matrix (config/rules.py keeps each odd): etcd, the HashiCorp rafts, SeaweedFS."""
    r = spec.roles
    found = {"etcd": r.kubernetes.control_plane, "consul": r.consul.servers, "vault": r.vault.servers,
             "nomad": r.nomad.servers}
    if r.seaweedfs is not None:
        found["seaweedfs-master"] = r.seaweedfs.masters
    return {name: members for name, members in found.items() if len(members) > 1}


def quorum_rules(quorums: dict[str, tuple[str, ...]]) -> AlertRuleGroup | None:
    """One rule per quorum: a member's node_exporter is down, so one more loss may cost the majority."""
    rules = []
    for name, members in sorted(quorums.items()):
        listed = sorted(set(members))
        rules.append(AlertRule(
            f"QuorumMemberLost{''.join(part.capitalize() for part in name.replace('_', '-').split('-'))}",
            f'count(up{{job="node", instance=~"{"|".join(listed)}"}} == 0) > 0', "2m", "critical",
            f"The {name} quorum lost a member",
            f"A member of the {name} quorum ({', '.join(listed)}) is down; one more loss may cost the majority."))
    return AlertRuleGroup("quorums", tuple(rules)) if rules else None


def own_rule_groups(spec: ClusterSpec) -> tuple[AlertRuleGroup, ...]:
    groups = [AlertRuleGroup("nodes", _node_rules(spec)), AlertRuleGroup("certificates", _certificate_rules(spec))]
    if any(n.is_pi for n in spec.nodes):
        groups.append(AlertRuleGroup("raspberry-pi", _pi_rules(spec)))
    return tuple(groups)


def rule_groups(spec: ClusterSpec, merged_rules: tuple[AlertRuleGroup, ...], checks: tuple[QuorumCheck, ...]
                ) -> tuple[AlertRuleGroup, ...]:
    """Every layer's rule groups plus quorum rules: the role matrix's quorums and any other quorum a layer's
    `QuorumCheck` names (a check's members win for a quorum of the same name)."""
    quorums = {**role_quorums(spec), **{c.name: c.members for c in checks}}
    quorum = quorum_rules(quorums)
    return (*merged_rules, quorum) if quorum is not None else merged_rules
