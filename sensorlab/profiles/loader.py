"""Find, read and validate firmware profiles (``firmware_profiles/*.toml``).

Profiles are looked up, in order, in the folders of ``$SENSORLAB_PROFILE_PATH`` (separated
by ``os.pathsep``; for your own devices), in ``firmware_profiles/`` of the source tree this
package was imported from (a clone or an editable install), and in
``<prefix>/share/sensorlab/firmware_profiles`` where a wheel installs them.
"""

from __future__ import annotations

import os
import re
import sys
import sysconfig
import tomllib
from pathlib import Path
from typing import Any

from sensorlab.errors import ProfileError
from sensorlab.profiles import template
from sensorlab.profiles._toml import Table, parse_hex
from sensorlab.profiles.decoders import parse_decoder
from sensorlab.profiles.model import (
    MEASURES,
    PROPERTIES,
    SCHEMA_VERSION,
    AxisMapping,
    Capture,
    Characteristic,
    CodeTable,
    Example,
    Expect,
    Profile,
    Step,
    Subscribe,
    TimestampSpec,
    Unsubscribe,
    Wait,
    Write,
)
from sensorlab.profiles.units import CHANNEL_UNITS
from sensorlab.units import PLACEMENTS

PROFILE_PATH_ENV = "SENSORLAB_PROFILE_PATH"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_AXIS = ("+x", "-x", "+y", "-y", "+z", "-z")


def profile_dirs() -> list[Path]:
    """Folders searched for profiles, in order (existing ones only)."""
    dirs: list[Path] = []
    env = os.environ.get(PROFILE_PATH_ENV, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs.append(Path(__file__).resolve().parents[2] / "firmware_profiles")
    for prefix in (sys.prefix, sysconfig.get_path("data")):
        dirs.append(Path(prefix) / "share" / "sensorlab" / "firmware_profiles")
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d not in seen:
            seen.append(d)
    return seen


def profile_files() -> dict[str, Path]:
    """Profile id -> file; earlier folders win."""
    files: dict[str, Path] = {}
    for d in profile_dirs():
        for f in sorted(d.glob("*.toml")):
            files.setdefault(f.stem, f)
    return files


def list_profiles() -> list[Profile]:
    """Every available profile, sorted by id.

    Raises
    ------
    ProfileError
        If a profile file is invalid.
    """
    return [parse_profile(f) for _, f in sorted(profile_files().items())]


def load_profile(name_or_path: str | Path) -> Profile:
    """A profile by id (``"polar-verity-sense"``) or by the path of a TOML file.

    Raises
    ------
    UsageError
        If there is no profile of that name (the message lists the known ones).
    ProfileError
        If the file is invalid.
    """
    text = str(name_or_path)
    if text.endswith(".toml") or os.sep in text or "/" in text:
        return parse_profile(Path(text))
    files = profile_files()
    if text not in files:
        from sensorlab.errors import check_option

        check_option("profile", text, sorted(files))
    return parse_profile(files[text])


def parse_profile(path: Path) -> Profile:
    """Read and validate one profile file.

    Parameters
    ----------
    path : Path
        The TOML file.

    Returns
    -------
    Profile

    Raises
    ------
    ProfileError
        If the file cannot be read or fails validation; the message names the key.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError("profile file not found", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read profile: {exc}", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"not valid TOML: {exc}", path=path) from None
    return build_profile(Table(data, path))


def _uuid(t: Table, name: str, value: str) -> str:
    low = value.lower()
    if not _UUID.match(low):
        raise t.error(
            name,
            f"expected a 128-bit UUID like '0000180d-0000-1000-8000-00805f9b34fb', found '{value}'",
        )
    return low


def _characteristic(t: Table) -> Characteristic:
    uuid = _uuid(t, "uuid", t.text("uuid"))
    props = frozenset(t.str_list("properties", choices=PROPERTIES))
    if not props:
        raise t.error("properties", "at least one property is required")
    t.finish()
    return Characteristic(uuid, props)


def _capture(t: Table) -> Capture:
    fmt = t.text("format", choices=("u8", "i8", "u16le", "i16le", "u32le", "i32le", "f32le"))
    offset = t.integer("offset", None, minimum=0)
    marker = parse_hex(t, "marker", None)
    if (offset is None) == (marker is None):
        raise t.error("offset", "give exactly one of offset or marker")
    default = t.number("default")
    t.finish()
    return Capture(fmt, offset, marker, default)


_STEP_KEYS = ("subscribe", "unsubscribe", "write", "expect", "wait_s")


def _step(t: Table, chars: dict[str, Characteristic]) -> Step:
    kinds = [k for k in _STEP_KEYS if t.has(k)]
    if len(kinds) != 1:
        raise t.error("", f"a step needs exactly one of {', '.join(_STEP_KEYS)}; found {kinds}")
    kind = kinds[0]
    step: Step
    if kind == "wait_s":
        step = Wait(t.number("wait_s", positive=True))
        t.finish()
        return step
    role = t.text(kind)
    if role not in chars:
        raise t.error(kind, f"no characteristic has role '{role}' ({', '.join(chars)})")
    props = chars[role].properties
    if kind in ("subscribe", "unsubscribe", "expect") and not props & {"notify", "indicate"}:
        raise t.error(kind, f"characteristic '{role}' has neither notify nor indicate")
    if kind == "subscribe":
        step = Subscribe(role)
    elif kind == "unsubscribe":
        step = Unsubscribe(role)
    elif kind == "write":
        hex_template = t.text("hex")
        with_response = t.flag("with_response")
        needed = "write" if with_response else "write-without-response"
        if needed not in props:
            raise t.error("with_response", f"characteristic '{role}' does not allow {needed}")
        step = Write(role, hex_template, with_response)
    else:
        prefix = parse_hex(t, "prefix")
        caps = t.table("capture", None)
        capture = None
        if caps is not None:
            capture = {name: _capture(caps.table(name)) for name, _ in caps.items()}
        step = Expect(role, prefix, capture, t.number("timeout_s", positive=True))
    t.finish()
    return step


def _codes(t: Table | None) -> dict[str, CodeTable]:
    out: dict[str, CodeTable] = {}
    if t is None:
        return out
    for name, _ in t.items():
        c = t.table(name)
        param = c.text("param", choices=("rate_hz", "range_g"))
        values = c.table("values")
        codes: dict[float, str] = {}
        for key, _ in values.items():
            try:
                number = float(key)
            except ValueError:
                raise values.error(
                    key, f"keys are {param} values like \"100\"; found '{key}'"
                ) from None
            codes[number] = parse_hex(values, key)
        c.finish()
        out[name] = CodeTable(param, codes)
    return out


def _timestamp(t: Table | None) -> TimestampSpec | None:
    if t is None:
        return None
    unit = t.text("unit", choices=("ns", "us", "ms", "s", "tick"))
    tick_hz = t.number("tick_hz", None, positive=True)
    if unit == "tick" and tick_hz is None:
        raise t.error("tick_hz", "is required when unit = 'tick'")
    spec = TimestampSpec(
        field=t.text("field"),
        unit=unit,
        tick_hz=tick_hz,
        epoch=t.text("epoch"),
        sample=t.text("sample", choices=("first", "last")),
        wrap_bits=t.integer("wrap_bits", None, minimum=8),
    )
    t.finish()
    return spec


def _axes(t: Table | None) -> AxisMapping:
    if t is None:
        return AxisMapping()
    out: dict[str, Any] = {}
    for name in ("acc", "gyr"):
        axes = t.str_list(name, ["+x", "+y", "+z"], choices=_AXIS)
        if len(axes) != 3 or len({a[1] for a in axes}) != 3:
            raise t.error(
                name,
                f"expected three distinct signed axes like ['+x', '-z', '+y'], found {list(axes)}",
            )
        out[name] = axes
    t.finish()
    return AxisMapping(acc=out["acc"], gyr=out["gyr"])


def _example(t: Table) -> Example:
    channel = t.text("channel", choices=tuple(CHANNEL_UNITS))
    ex = Example(
        role=t.text("role"),
        hex=parse_hex(t, "hex"),
        channel=channel,
        first_sample=t.num_list("first_sample"),
        unit=t.text("unit", choices=tuple(CHANNEL_UNITS[channel])),
        params={k: float(v) for k, v in t.table("params", Table({}, t.path)).items()},
    )
    t.finish()
    return ex


def build_profile(root: Table) -> Profile:
    """Validate a parsed profile table into a :class:`Profile`."""
    path = root.path
    version = root.integer("schema_version")
    if version != SCHEMA_VERSION:
        raise root.error(
            "schema_version",
            f"this sensorlab reads schema version {SCHEMA_VERSION}, found {version}",
        )
    pid = root.text("id")
    if not _ID.match(pid):
        raise root.error("id", f"expected lower-case letters, digits and '-', found '{pid}'")
    if pid != path.stem:
        raise root.error("id", f"must equal the file name '{path.stem}', found '{pid}'")
    name = root.text("name")
    family = root.text("family")
    description = root.text("description")
    measures = frozenset(root.str_list("measures", choices=MEASURES))
    if not measures:
        raise root.error("measures", "at least one of acc, gyr, cadence, speed is required")
    placements = root.str_list("placements", choices=PLACEMENTS)
    limitations = root.str_list("limitations", [])

    adv = root.table("advertising")
    names = adv.str_list("name_prefixes")
    services = tuple(_uuid(adv, "services", s) for s in adv.str_list("services", []))
    if not names and not services:
        raise adv.error("name_prefixes", "give name prefixes or services to match in a scan")
    adv.finish()

    chars = root.each("characteristics", _characteristic)
    if not chars:
        raise root.error("characteristics", "at least one characteristic is required")

    sampling = root.table("sampling")
    rates = sampling.num_list("rates_hz", positive=True)
    if not rates:
        raise sampling.error("rates_hz", "at least one rate is required")
    default_rate = sampling.number("default_rate_hz", positive=True)
    if default_rate not in rates:
        raise sampling.error("default_rate_hz", f"{default_rate:g} is not one of rates_hz")
    ranges = sampling.num_list("acc_ranges_g", [], positive=True)
    default_range = sampling.number("default_acc_range_g", 0.0)
    if ranges and default_range not in ranges:
        raise sampling.error("default_acc_range_g", f"{default_range:g} is not one of acc_ranges_g")
    if "acc" in measures and not ranges:
        raise sampling.error("acc_ranges_g", "an acc device needs its range(s) in g")
    sampling.finish()

    codes = _codes(root.table("codes", None))
    for cname, table in codes.items():
        allowed = rates if table.param == "rate_hz" else ranges
        missing = [v for v in allowed if v not in table.codes]
        if missing:
            raise root.error(f"codes.{cname}.values", f"no code for {table.param} = {missing[0]:g}")

    start = tuple(_step(s, chars) for s in root.tables("start"))
    stop = tuple(_step(s, chars) for s in root.tables("stop", []))
    captures = {n for s in start if isinstance(s, Expect) and s.capture for n in s.capture}
    params = {"rate_hz", "range_g", *captures}
    for key, steps in (("start", start), ("stop", stop)):
        for i, s in enumerate(steps):
            if isinstance(s, Write):
                problem = template.check(s.hex_template, codes, params)
                if problem:
                    raise root.error(f"{key}[{i}].hex", problem)

    timestamp = _timestamp(root.table("timestamp", None))
    axes = _axes(root.table("axes", None))
    decoder = parse_decoder(root.table("decoder"))
    for role in decoder.roles:
        if role not in chars:
            raise root.error("decoder.role", f"no characteristic has role '{role}'")
        if not chars[role].properties & {"notify", "indicate"}:
            raise root.error("decoder.role", f"characteristic '{role}' cannot notify")
    emitted = decoder.channels()
    if emitted != measures:
        raise root.error(
            "measures",
            f"the decoder gives {sorted(emitted)} but measures lists {sorted(measures)}",
        )
    examples = tuple(_example(e) for e in root.tables("examples", []))
    root.finish()
    return Profile(
        id=pid,
        name=name,
        schema_version=version,
        family=family,
        description=description,
        measures=measures,
        placements=placements,
        limitations=limitations,
        advertised_names=names,
        advertised_services=services,
        characteristics=chars,
        start_script=start,
        stop_script=stop,
        nominal_rates_hz=rates,
        default_rate_hz=default_rate,
        acc_ranges_g=ranges,
        default_acc_range_g=default_range,
        axis_mapping=axes,
        timestamp=timestamp,
        codes=codes,
        decoder=decoder,
        examples=examples,
        source_path=path,
    )


__all__ = ["list_profiles", "load_profile", "parse_profile", "profile_dirs"]
