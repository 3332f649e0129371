"""``sensorlab profiles list | show P | check [FILE] | decode P HEX [--json]``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def add_commands(sub: Any) -> dict[str, Handler]:
    """Add the ``profiles`` command to the sub-parsers ``sub``; return its handler."""
    p = sub.add_parser("profiles", help="firmware profiles: list, show, check, decode packets")
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    actions.add_parser("list", help="every available profile and what it measures")
    s = actions.add_parser("show", help="everything a profile says about its device")
    s.add_argument("profile", metavar="PROFILE", help="profile id or TOML file")
    c = actions.add_parser(
        "check", help="validate profile files, render their scripts, decode their examples"
    )
    c.add_argument(
        "files", nargs="*", metavar="FILE", help="TOML files (default: every available profile)"
    )
    d = actions.add_parser("decode", help="decode one notification with a profile")
    d.add_argument("profile", metavar="PROFILE", help="profile id or TOML file")
    d.add_argument("hex", nargs="+", metavar="HEX", help="the bytes, e.g. '55 61 EE FF ...'")
    d.add_argument("--role", help="characteristic role (default: the decoder's first role)")
    d.add_argument("--rate", type=float, metavar="HZ", help="sampling rate (default: profile's)")
    d.add_argument("--range", type=float, metavar="G", help="acc range in g (default: profile's)")
    d.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a captured parameter, e.g. acc_factor=0.000244 (repeatable)",
    )
    d.add_argument("--json", action="store_true", help="print JSON")
    return {"profiles": _cmd_profiles}


def _cmd_profiles(args: argparse.Namespace) -> int:
    action: str = args.action
    if action == "list":
        return _list()
    if action == "show":
        return _show(args.profile)
    if action == "check":
        return _check(args.files)
    return _decode(args)


def _list() -> int:
    from sensorlab.profiles import list_profiles

    profiles = list_profiles()
    width = max(len(p.id) for p in profiles)
    for p in profiles:
        rates = f"{min(p.nominal_rates_hz):g}-{max(p.nominal_rates_hz):g} Hz"
        if len(p.nominal_rates_hz) == 1:
            rates = f"{p.nominal_rates_hz[0]:g} Hz"
        measures = ",".join(m for m in ("acc", "gyr", "cadence", "speed") if m in p.measures)
        print(f"{p.id:<{width}}  {measures:<16} {rates:<12} {p.name}")
    return 0


def _show(name: str) -> int:
    from sensorlab.profiles import Expect, Subscribe, Unsubscribe, Wait, Write, load_profile

    p = load_profile(name)
    print(f"{p.name} ({p.id}, family {p.family}, schema {p.schema_version})")
    print(f"  file:        {p.source_path}")
    print(f"  {p.description}")
    print(f"  measures:    {', '.join(sorted(p.measures))}")
    print(f"  placements:  {', '.join(p.placements)}")
    print(
        f"  rates:       {', '.join(f'{r:g}' for r in p.nominal_rates_hz)} Hz "
        f"(default {p.default_rate_hz:g})"
    )
    if p.acc_ranges_g:
        print(
            f"  acc range:   ±{', ±'.join(f'{r:g}' for r in p.acc_ranges_g)} g "
            f"(default ±{p.default_acc_range_g:g})"
        )
    ts = p.timestamp
    clock = "none (arrival time + nominal rate)"
    if ts is not None:
        clock = f"{ts.field} in {ts.unit} since {ts.epoch}, {ts.sample} sample"
    print(f"  timestamp:   {clock}")
    print(
        f"  scan:        names {list(p.advertised_names)}, services {list(p.advertised_services)}"
    )
    for role, ch in p.characteristics.items():
        print(f"  {role + ':':<12} {ch.uuid} ({', '.join(sorted(ch.properties))})")
    print(f"  decoder:     {p.decoder.codec}")
    params = p.default_params()
    for title, script in (("start", p.start_script), ("stop", p.stop_script)):
        print(f"  {title}:")
        for step in script:
            if isinstance(step, Subscribe):
                print(f"    subscribe {step.role}")
            elif isinstance(step, Unsubscribe):
                print(f"    unsubscribe {step.role}")
            elif isinstance(step, Write):
                data = p.render_write(step, params).hex(" ").upper()
                mode = "write" if step.with_response else "write-no-response"
                print(f"    {mode} {step.role}: {step.hex_template}  -> {data}")
            elif isinstance(step, Expect):
                cap = f", capture {', '.join(step.capture)}" if step.capture else ""
                print(
                    f"    expect {step.role}: {step.prefix_hex.upper()} ...{cap} "
                    f"(within {step.timeout_s:g} s)"
                )
            elif isinstance(step, Wait):
                print(f"    wait {step.seconds:g} s")
    for text in p.limitations:
        print(f"  limitation:  {text}")
    return 0


def _check(files: list[str]) -> int:
    from pathlib import Path

    from sensorlab.errors import ProfileError
    from sensorlab.profiles.check import check_profile
    from sensorlab.profiles.loader import parse_profile, profile_files

    paths = [Path(f) for f in files] or list(profile_files().values())
    failed = 0
    for path in paths:
        try:
            problems = check_profile(parse_profile(path))
        except ProfileError as exc:
            problems = [exc.message]
        if problems:
            failed += 1
            for text in problems:
                print(f"{path}: {text}")
        else:
            print(f"{path}: ok")
    if failed:
        raise ProfileError(f"{failed} of {len(paths)} profile(s) failed the check")
    return 0


def _decode(args: argparse.Namespace) -> int:
    from sensorlab.errors import UsageError
    from sensorlab.profiles import load_profile
    from sensorlab.profiles.units import CHANNEL_UNITS

    p = load_profile(args.profile)
    text = "".join(args.hex)
    try:
        payload = bytes.fromhex(text)
    except ValueError:
        raise UsageError(f"expected hex bytes like '55 61 EE FF', found '{text}'") from None
    params: dict[str, Any] = p.params(rate_hz=args.rate, range_g=args.range)
    for item in args.param:
        name, sep, value = item.partition("=")
        try:
            params[name] = float(value)
        except ValueError:
            raise UsageError(f"--param expects NAME=NUMBER, found '{item}'") from None
        if not sep:
            raise UsageError(f"--param expects NAME=NUMBER, found '{item}'")
    role = args.role or p.data_roles[0]
    blocks = p.make_decoder(params).feed(role, payload)
    units = {
        c: next(iter(u)) if c not in ("acc", "gyr") else ("m/s2" if c == "acc" else "deg/s")
        for c, u in CHANNEL_UNITS.items()
    }
    if args.json:
        out = [
            {
                "channel": b.channel,
                "unit": units[b.channel],
                "values": b.values.tolist(),
                "device_time_s": None if b.device_time_s is None else b.device_time_s.tolist(),
                "counter": b.counter,
            }
            for b in blocks
        ]
        print(json.dumps({"profile": p.id, "role": role, "bytes": len(payload), "blocks": out}))
        return 0
    if not blocks:
        print(f"{len(payload)} bytes on '{role}': no samples (e.g. the first part of a message)")
    for b in blocks:
        counter = "" if b.counter is None else f", counter {b.counter}"
        print(f"{b.channel} [{units[b.channel]}]: {len(b)} sample(s){counter}")
        for i, row in enumerate(b.values):
            stamp = "" if b.device_time_s is None else f"  t={b.device_time_s[i]:.6f} s"
            print("  " + "  ".join(f"{v:10.4f}" for v in row) + stamp)
    return 0
