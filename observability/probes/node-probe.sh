#!/bin/bash
# Textfile probe for node_exporter: the Raspberry Pi's SoC temperature, `vcgencmd get_throttled` flags, CPU
# frequency and fan state (where the hardware has them), and the journal's disk usage. Writes
# "$GT_TEXTFILE_DIR/node-probe.prom" atomically (node_exporter may read it at any moment).
# Environment: GT_TEXTFILE_DIR (required), GT_SYSFS (default /sys), GT_VCGENCMD (default vcgencmd),
# GT_JOURNAL_DIR (default /var/log/journal).
set -euo pipefail
sysfs=${GT_SYSFS:-/sys}
vcgencmd=${GT_VCGENCMD:-vcgencmd}
journal=${GT_JOURNAL_DIR:-/var/log/journal}
out=${GT_TEXTFILE_DIR:?GT_TEXTFILE_DIR is required}/node-probe.prom
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT

metric() { printf '# HELP %s %s\n# TYPE %s gauge\n' "$1" "$2" "$1"; }

{
  zone="$sysfs/class/thermal/thermal_zone0/temp"
  if [ -r "$zone" ]; then
    metric goldentooth_soc_temperature_celsius "SoC temperature from thermal_zone0."
    awk '{ printf "goldentooth_soc_temperature_celsius %.3f\n", $1 / 1000 }' "$zone"
  fi

  # get_throttled prints throttled=0x<bits>: 0-3 now (under-voltage, ARM frequency capped, throttled, soft
  # temperature limit), 16-19 the same since boot.
  if command -v "$vcgencmd" >/dev/null 2>&1 && raw=$("$vcgencmd" get_throttled 2>/dev/null); then
    bits=$((${raw#*=}))
    metric goldentooth_pi_throttle_flag "One bit of vcgencmd get_throttled (1 = set)."
    for entry in 0:under_voltage_now 1:frequency_capped_now 2:throttled_now 3:soft_temperature_limit_now \
      16:under_voltage_occurred 17:frequency_capped_occurred 18:throttled_occurred 19:soft_temperature_limit_occurred; do
      printf 'goldentooth_pi_throttle_flag{flag="%s"} %d\n' "${entry#*:}" $(((bits >> ${entry%%:*}) & 1))
    done
  fi

  freq="$sysfs/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq"
  if [ -r "$freq" ]; then
    metric goldentooth_cpu_frequency_hertz "Current frequency of CPU 0."
    awk '{ printf "goldentooth_cpu_frequency_hertz %d\n", $1 * 1000 }' "$freq"
  fi

  # The Pi 4's gpio-fan overlay and the Pi 5's pwm-fan are thermal cooling devices.
  for device in "$sysfs"/class/thermal/cooling_device*; do
    [ -r "$device/type" ] || continue
    case $(cat "$device/type") in
      gpio-fan | pwm-fan)
        metric goldentooth_fan_state "Fan cooling state (0 = off)."
        printf 'goldentooth_fan_state %d\n' "$(cat "$device/cur_state")"
        metric goldentooth_fan_max_state "Highest fan cooling state."
        printf 'goldentooth_fan_max_state %d\n' "$(cat "$device/max_state")"
        break
        ;;
    esac
  done

  if [ -d "$journal" ]; then
    metric goldentooth_journal_disk_bytes "Bytes used by the persistent journal."
    printf 'goldentooth_journal_disk_bytes %d\n' "$(du -sb "$journal" | awk '{ print $1 }')"
  fi

  metric goldentooth_probe_last_run_timestamp_seconds "When this probe last ran."
  printf 'goldentooth_probe_last_run_timestamp_seconds{probe="node"} %d\n' "$(date +%s)"
} >"$tmp"
chmod 0644 "$tmp"
mv -f -- "$tmp" "$out"
trap - EXIT
