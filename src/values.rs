//! Validated values for the command line: each parser accepts exactly what Kubernetes or
//! Cassandra would accept and explains the accepted form otherwise. Clap turns a rejection into
//! a usage error (exit 2) that names the flag.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

/// The largest ring `--replicas` and `scale` accept.
pub const MAX_REPLICAS: u32 = 1000;

/// The largest `--num-tokens` (vnodes per node) casctl accepts.
pub const MAX_NUM_TOKENS: u32 = 1536;

/// The longest `--name`: the StatefulSet controller labels each revision `<name>-<10-char
/// hash>`, and a label value has at most 63 characters.
const MAX_NAME_LEN: usize = 52;

/// A DNS-1123 label: a namespace, or the name casctl gives its objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsLabel(String);

/// A DNS-1123 subdomain: a StorageClass name, a cluster domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsSubdomain(String);

macro_rules! string_newtype {
    ($t:ty) => {
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
string_newtype!(DnsLabel);
string_newtype!(DnsSubdomain);

impl DnsLabel {
    /// Checks a value given by someone other than the user's flags (a kubeconfig namespace).
    pub fn new(s: &str) -> Result<Self, String> {
        check_dns_label(s, 63).map(|()| DnsLabel(s.to_owned()))
    }

    /// Kubernetes' `default` namespace.
    pub fn default_namespace() -> Self {
        DnsLabel("default".to_owned())
    }
}

fn check_dns_label(s: &str, max: usize) -> Result<(), String> {
    let form = "lower-case letters, digits and '-', starting and ending with a letter or digit";
    if s.is_empty() {
        return Err(format!("must not be empty ({form})"));
    }
    if s.len() > max {
        return Err(format!(
            "is {} characters long; at most {max} are allowed",
            s.len()
        ));
    }
    let valid_chars = s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let valid_ends = !s.starts_with('-') && !s.ends_with('-');
    if valid_chars && valid_ends {
        Ok(())
    } else {
        Err(format!("is not a DNS-1123 label: use {form}"))
    }
}

pub fn parse_namespace(s: &str) -> Result<DnsLabel, String> {
    check_dns_label(s, 63).map(|()| DnsLabel(s.to_owned()))
}

pub fn parse_name(s: &str) -> Result<DnsLabel, String> {
    check_dns_label(s, MAX_NAME_LEN).map(|()| DnsLabel(s.to_owned()))
}

pub fn parse_subdomain(s: &str) -> Result<DnsSubdomain, String> {
    if s.len() > 253 {
        return Err("is longer than 253 characters".into());
    }
    for part in s.split('.') {
        check_dns_label(part, 63).map_err(|_| {
            "is not a DNS-1123 subdomain: use lower-case letters, digits, '-' and '.'".to_owned()
        })?;
    }
    Ok(DnsSubdomain(s.to_owned()))
}

/// A non-empty value without white space (Cassandra's cluster, datacenter and rack names).
pub fn parse_word(s: &str) -> Result<String, String> {
    if s.is_empty() {
        Err("must not be empty".into())
    } else if s.chars().any(char::is_whitespace) {
        Err("must not contain white space".into())
    } else {
        Ok(s.to_owned())
    }
}

/// A pod's name (a DNS-1123 subdomain), for `--pod`.
pub fn parse_pod_name(s: &str) -> Result<String, String> {
    parse_subdomain(s).map(|name| name.0)
}

/// What `--storage-class` asks of the data claims. Leaving the flag out is a third case
/// (`None` in [`crate::cli::Settings`]): the template's class stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageClassChoice {
    /// `--storage-class ''`: Kubernetes' "no class". `storageClassName: ""` turns dynamic
    /// provisioning off; the claims bind only PersistentVolumes that have no class.
    NoClass,
    /// A StorageClass by name.
    Named(DnsSubdomain),
}

impl StorageClassChoice {
    /// The claim template's `storageClassName`: the class's name, or `""` for no class.
    pub fn as_str(&self) -> &str {
        match self {
            StorageClassChoice::NoClass => "",
            StorageClassChoice::Named(name) => name.as_str(),
        }
    }

    /// The StorageClass to look for in the cluster or to create; `None` for no class.
    pub fn name(&self) -> Option<&DnsSubdomain> {
        match self {
            StorageClassChoice::NoClass => None,
            StorageClassChoice::Named(name) => Some(name),
        }
    }
}

/// Writes [`StorageClassChoice::as_str`]: the value of the claim's `storageClassName`.
impl fmt::Display for StorageClassChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `''` is no class; anything else must be a StorageClass name.
pub fn parse_storage_class(s: &str) -> Result<StorageClassChoice, String> {
    if s.is_empty() {
        return Ok(StorageClassChoice::NoClass);
    }
    parse_subdomain(s)
        .map(StorageClassChoice::Named)
        .map_err(|e| format!("{e}, or '' for no class"))
}

/// An IPv4 or IPv6 address, kept as written (`CASSANDRA_RPC_ADDRESS`).
pub fn parse_ip_address(s: &str) -> Result<String, String> {
    s.parse::<IpAddr>()
        .map(|_| s.to_owned())
        .map_err(|_| "not an IP address; use an IPv4 or IPv6 address such as 0.0.0.0 or ::".into())
}

const DURATION_FORM: &str = "use a number and a unit (s, m or h), e.g. 30s, 5m, 1h or 1m30s";

/// The longest duration accepted: waits beyond a year are mistakes, and far-off deadlines
/// overflow the clock.
const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// A duration for `--timeout`: `30s`, `5m`, `1h`, `1m30s` (like kubectl's, in whole units).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let seconds = duration_seconds(s).ok_or_else(|| format!("not a duration; {DURATION_FORM}"))?;
    match Duration::from_secs(seconds) {
        d if d.is_zero() => Err(format!("must be longer than zero; {DURATION_FORM}")),
        d if d > MAX_DURATION => Err("must be at most 8760h (a year)".into()),
        d => Ok(d),
    }
}

/// The seconds in one or more `<digits><unit>` parts; `None` unless the whole text is such
/// parts. Saturates rather than overflows, so a huge value is caught as too long.
fn duration_seconds(s: &str) -> Option<u64> {
    let mut rest = s;
    let mut total = 0u64;
    while !rest.is_empty() {
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .filter(|&i| i > 0)?;
        let (digits, after) = rest.split_at(digits_end);
        let unit_end = after
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let scale = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            _ => return None,
        };
        let number = digits.bytes().fold(0u64, |n, d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        });
        total = total.saturating_add(number.saturating_mul(scale));
        rest = next;
    }
    (!s.is_empty()).then_some(total)
}

/// The target of `casctl scale`.
pub fn parse_scale_target(s: &str) -> Result<u32, String> {
    match s.parse::<i64>() {
        Ok(0) => Err(format!(
            "a ring needs at least 1 node; to remove every node use `{} down`",
            crate::fmt::program()
        )),
        _ => whole_number_up_to(s, MAX_REPLICAS),
    }
}

/// `--replicas`.
pub fn parse_replicas(s: &str) -> Result<u32, String> {
    whole_number_up_to(s, MAX_REPLICAS)
}

/// `--num-tokens`.
pub fn parse_num_tokens(s: &str) -> Result<u32, String> {
    whole_number_up_to(s, MAX_NUM_TOKENS)
}

/// A whole number from 1 to `max`.
fn whole_number_up_to(s: &str, max: u32) -> Result<u32, String> {
    let form = format!("use a whole number from 1 to {max}");
    let n: i64 = s
        .parse()
        .map_err(|_| format!("not a whole number; {form}"))?;
    u32::try_from(n)
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| format!("out of range; {form}"))
}

const IMAGE_FORM: &str = "use [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST], e.g. cassandra:5.0 or \
                          registry.example.com:5000/db/cassandra:5.0";

/// An image reference, checked against the grammar of the distribution project's `reference`
/// package (what the kubelet's image pull accepts): `[host[:port]/]path[:tag][@digest]`.
pub fn parse_image(s: &str) -> Result<String, String> {
    let problem = if s.is_empty() {
        Err("must not be empty".to_owned())
    } else if s.chars().any(char::is_whitespace) {
        Err("must not contain white space".to_owned())
    } else {
        check_image_reference(s)
    };
    problem
        .map(|()| s.to_owned())
        .map_err(|why| format!("{why}; {IMAGE_FORM}"))
}

fn check_image_reference(s: &str) -> Result<(), String> {
    let (name_and_tag, digest) = match s.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (s, None),
    };
    if let Some(digest) = digest {
        check_digest(digest)?;
    }
    let (name, tag) = split_tag(name_and_tag);
    if let Some(tag) = tag {
        check_tag(tag)?;
    }
    check_image_name(name)
}

/// The tag follows the last ':' after the last '/'; a ':' before that '/' is a registry port.
fn split_tag(s: &str) -> (&str, Option<&str>) {
    let last_part = s.rfind('/').map_or(0, |i| i + 1);
    match s[last_part..].rfind(':') {
        Some(i) => (&s[..last_part + i], Some(&s[last_part + i + 1..])),
        None => (s, None),
    }
}

/// `sha256:` and 64 lower-case hex digits (or `sha512:` and 128), as OCI registers them.
fn check_digest(digest: &str) -> Result<(), String> {
    let (hex, len) = match digest.split_once(':') {
        Some(("sha256", hex)) => (hex, 64),
        Some(("sha512", hex)) => (hex, 128),
        _ => {
            return Err(format!(
                "digest '{digest}' must be sha256: and 64 hex digits"
            ));
        }
    };
    let lower_hex = hex
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    match lower_hex && hex.len() == len {
        true => Ok(()),
        false => Err(format!(
            "digest '{digest}' must have {len} lower-case hex digits after the ':'"
        )),
    }
}

fn check_tag(tag: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let valid = tag.starts_with(word)
        && tag.len() <= 128
        && tag.chars().all(|c| word(c) || c == '.' || c == '-');
    match valid {
        true => Ok(()),
        false => Err(format!(
            "tag '{tag}' must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"
        )),
    }
}

/// The longest image name (registry and path) the reference grammar allows.
const MAX_IMAGE_NAME_LEN: usize = 255;

fn check_image_name(name: &str) -> Result<(), String> {
    if name.len() > MAX_IMAGE_NAME_LEN {
        return Err(format!(
            "registry and repository must be at most {MAX_IMAGE_NAME_LEN} characters, not {}",
            name.len()
        ));
    }
    let path = match name.split_once('/') {
        Some((registry, path)) if is_registry(registry) => {
            check_registry(registry)?;
            path
        }
        _ => name,
    };
    path.split('/').try_for_each(check_path_component)
}

/// As docker decides: a first part with a '.' or a ':', `localhost`, or an upper-case letter
/// names a registry; otherwise it is the start of the path (`library/cassandra`).
fn is_registry(first: &str) -> bool {
    first.contains(['.', ':'])
        || first == "localhost"
        || first.contains(|c: char| c.is_ascii_uppercase())
}

/// `host[:port]`: a DNS name, an IPv4 address or a bracketed IPv6 address.
fn check_registry(registry: &str) -> Result<(), String> {
    let (host, port) = split_port(registry);
    let host_valid = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().is_ok(),
        None => host.split('.').all(is_domain_component),
    };
    let port_valid = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    match host_valid && port_valid {
        true => Ok(()),
        false => Err(format!("registry '{registry}' must be HOST or HOST:PORT")),
    }
}

/// Splits off a `:port`, leaving the colons of a bracketed IPv6 address alone.
fn split_port(registry: &str) -> (&str, Option<&str>) {
    match registry.rsplit_once(':') {
        Some((host, port))
            if !port.contains(']') && (!host.starts_with('[') || host.ends_with(']')) =>
        {
            (host, Some(port))
        }
        _ => (registry, None),
    }
}

/// `[a-zA-Z0-9]`, or letters, digits and '-' with a letter or digit at either end.
fn is_domain_component(c: &str) -> bool {
    !c.is_empty()
        && !c.starts_with('-')
        && !c.ends_with('-')
        && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Lower-case letters and digits, separated by one '.', one '_', "__" or any number of '-'.
fn check_path_component(part: &str) -> Result<(), String> {
    if part.contains(|c: char| c.is_ascii_uppercase()) {
        return Err(format!("repository '{part}' must be lower-case"));
    }
    let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let separators_valid = part
        .split(alphanumeric)
        .filter(|sep| !sep.is_empty())
        .all(|sep| matches!(sep, "." | "_" | "__") || sep.bytes().all(|b| b == b'-'));
    let ends_valid = part.starts_with(alphanumeric) && part.ends_with(alphanumeric);
    match separators_valid && ends_valid {
        true => Ok(()),
        false => Err(format!(
            "repository '{part}' must be lower-case letters and digits, separated by '.', '_', \
             '__' or '-'"
        )),
    }
}

/// An environment variable for the Cassandra container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
}

pub fn parse_env_var(s: &str) -> Result<EnvVar, String> {
    let (name, value) = s
        .split_once('=')
        .ok_or("expected KEY=VALUE, e.g. CASSANDRA_AUTO_BOOTSTRAP=false")?;
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "'{name}' is not a variable name: use letters, digits and '_', not starting with a digit"
        ));
    }
    Ok(EnvVar {
        name: name.to_owned(),
        value: value.to_owned(),
    })
}

/// A JVM heap size as Cassandra's `cassandra-env.sh` passes it to `-Xmx`/`-Xmn`: digits and an
/// optional unit k, m, g or t.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeapSize {
    text: String,
    bytes: u64,
}

impl HeapSize {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

pub fn parse_heap_size(s: &str) -> Result<HeapSize, String> {
    let form = "use a JVM size such as 512M, 2G or 4096M";
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(digits_end);
    let multiplier: u64 = match unit {
        "" => 1,
        "k" | "K" => 1 << 10,
        "m" | "M" => 1 << 20,
        "g" | "G" => 1 << 30,
        "t" | "T" => 1 << 40,
        _ => return Err(format!("not a heap size; {form}")),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("not a heap size; {form}"))?;
    let bytes = number
        .checked_mul(multiplier)
        .filter(|b| *b > 0)
        .ok_or_else(|| format!("out of range; {form}"))?;
    Ok(HeapSize {
        text: s.to_owned(),
        bytes,
    })
}

/// A Kubernetes resource quantity (`500m`, `1Gi`, `2`, `1e3`), kept as written, with its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    text: String,
    value: f64,
}

impl Quantity {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value in base units (cores, bytes).
    pub fn value(&self) -> f64 {
        self.value
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

const QUANTITY_FORM: &str = "use a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi";

/// Parses a quantity as the API server does (`resource.ParseQuantity`).
pub fn parse_quantity(s: &str) -> Result<Quantity, String> {
    let number_end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '+' || c == '-'))))
        .map_or(s.len(), |(i, _)| i);
    let (number, suffix) = s.split_at(number_end);
    let digits = number.trim_start_matches(['+', '-']);
    let well_formed =
        digits.chars().any(|c| c.is_ascii_digit()) && digits.matches('.').count() <= 1;
    let mantissa: f64 = match number.parse() {
        Ok(m) if well_formed => m,
        _ => return Err(format!("not a quantity; {QUANTITY_FORM}")),
    };
    let scale = suffix_scale(suffix).ok_or_else(|| {
        let hint = match suffix.to_ascii_lowercase().as_str() {
            "kb" => "; Kubernetes writes Ki (binary) or k (decimal)",
            "mb" => "; Kubernetes writes Mi (binary) or M (decimal)",
            "gb" => "; Kubernetes writes Gi (binary) or G (decimal)",
            "tb" => "; Kubernetes writes Ti (binary) or T (decimal)",
            _ => "",
        };
        format!("unknown unit '{suffix}'{hint}; {QUANTITY_FORM}")
    })?;
    Ok(Quantity {
        text: s.to_owned(),
        value: mantissa * scale,
    })
}

fn suffix_scale(suffix: &str) -> Option<f64> {
    let binary = |power: i32| Some(1024f64.powi(power));
    let decimal = |power: i32| Some(10f64.powi(power));
    match suffix {
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        "Pi" => binary(5),
        "Ei" => binary(6),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "" => decimal(0),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        _ => {
            let exponent = suffix.strip_prefix(['e', 'E'])?;
            let has_digits = exponent
                .trim_start_matches(['+', '-'])
                .chars()
                .all(|c| c.is_ascii_digit())
                && !exponent.trim_start_matches(['+', '-']).is_empty();
            has_digits.then(|| exponent.parse().ok().map(decimal))??
        }
    }
}

/// A quantity that must be more than zero (requests, volume sizes).
pub fn parse_positive_quantity(s: &str) -> Result<Quantity, String> {
    let q = parse_quantity(s)?;
    if q.value > 0.0 {
        Ok(q)
    } else {
        Err(format!("must be more than zero; {QUANTITY_FORM}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_dns_1123() {
        assert!(parse_name("cassandra").is_ok());
        assert!(parse_name("ring-2").is_ok());
        for bad in ["Bad_Name", "", "-x", "x-", "a.b", "UPPER"] {
            assert!(parse_name(bad).is_err(), "{bad} accepted");
        }
        assert!(parse_name(&"a".repeat(52)).is_ok());
        assert!(
            parse_name(&"a".repeat(53))
                .unwrap_err()
                .contains("at most 52")
        );
        assert!(parse_namespace(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn subdomains_allow_dots() {
        assert!(parse_subdomain("cluster.local").is_ok());
        assert!(parse_subdomain("fast").is_ok());
        assert!(parse_subdomain("Fast").is_err());
        assert!(parse_subdomain("a..b").is_err());
    }

    #[test]
    fn quantities_parse_like_the_api_server() {
        let cases = [
            ("500m", 0.5),
            ("2", 2.0),
            ("1Gi", 1073741824.0),
            ("1G", 1e9),
            ("1.5Gi", 1.5 * 1073741824.0),
            ("1e3", 1000.0),
            ("100k", 100_000.0),
            (".5", 0.5),
        ];
        for (text, value) in cases {
            let q = parse_quantity(text).unwrap();
            assert_eq!(q.value(), value, "{text}");
            assert_eq!(q.as_str(), text);
        }
        for bad in ["1Gb", "lots", "", "Gi", "1.2.3", "1 Gi", "1gi", "e3", "1e"] {
            assert!(parse_quantity(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_byte_unit_gets_a_hint() {
        let err = parse_quantity("1Gb").unwrap_err();
        assert!(err.contains("Gi (binary) or G (decimal)"), "{err}");
        let err = parse_quantity("100kb").unwrap_err();
        assert!(err.contains("Ki (binary) or k (decimal)"), "{err}");
    }

    #[test]
    fn zero_and_negative_quantities_are_not_resources() {
        assert!(parse_positive_quantity("0").is_err());
        assert!(parse_positive_quantity("-1Gi").is_err());
        assert!(parse_positive_quantity("1m").is_ok());
    }

    #[test]
    fn heap_sizes_follow_the_jvm() {
        assert_eq!(parse_heap_size("512M").unwrap().bytes(), 512 << 20);
        assert_eq!(parse_heap_size("4g").unwrap().bytes(), 4 << 30);
        assert_eq!(parse_heap_size("1048576").unwrap().bytes(), 1 << 20);
        for bad in [
            "lots",
            "512MB",
            "",
            "0",
            "0M",
            "1.5G",
            "-1G",
            "99999999999T",
        ] {
            assert!(parse_heap_size(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn env_vars_need_a_name_and_an_equals_sign() {
        let v = parse_env_var("CASSANDRA_AUTO_BOOTSTRAP=false").unwrap();
        assert_eq!(
            (v.name.as_str(), v.value.as_str()),
            ("CASSANDRA_AUTO_BOOTSTRAP", "false")
        );
        assert_eq!(parse_env_var("EMPTY=").unwrap().value, "");
        assert_eq!(parse_env_var("A=b=c").unwrap().value, "b=c");
        for bad in ["NOEQUALS", "=x", "1A=x", "A-B=x"] {
            assert!(parse_env_var(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn scale_zero_points_at_down() {
        assert!(parse_scale_target("0").unwrap_err().contains("casctl down"));
        assert_eq!(parse_scale_target("4"), Ok(4));
        assert!(parse_scale_target("-1").is_err());
        assert!(parse_scale_target("1001").is_err());
        assert!(parse_scale_target("abc").is_err());
    }

    #[test]
    fn counts_name_their_range() {
        assert_eq!(parse_replicas("1000"), Ok(1000));
        assert_eq!(parse_num_tokens("1536"), Ok(1536));
        for bad in ["0", "-1", "1001", "99999999999999999999"] {
            let err = parse_replicas(bad).unwrap_err();
            assert!(err.contains("from 1 to 1000"), "{bad}: {err}");
        }
        let err = parse_num_tokens("abc").unwrap_err();
        assert_eq!(err, "not a whole number; use a whole number from 1 to 1536");
    }

    #[test]
    fn durations_use_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h2m3s"), Ok(Duration::from_secs(3723)));
        assert_eq!(parse_duration("8760h"), Ok(MAX_DURATION));
    }

    #[test]
    fn a_bad_duration_gets_the_accepted_form() {
        let form = DURATION_FORM;
        for bad in [
            "abc", "", "5", "-5m", "1.5h", "5 m", "m", "5mm", "2d", "1h-1m",
        ] {
            assert_eq!(
                parse_duration(bad),
                Err(format!("not a duration; {form}")),
                "{bad}"
            );
        }
        assert!(
            parse_duration("0s")
                .unwrap_err()
                .starts_with("must be longer than zero")
        );
        for huge in ["8761h", "99999999999999999999999h"] {
            assert_eq!(
                parse_duration(huge),
                Err("must be at most 8760h (a year)".into())
            );
        }
    }

    #[test]
    fn images_follow_the_reference_grammar() {
        let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
        let good = [
            "cassandra".to_owned(),
            "cassandra:4.1".to_owned(),
            "gcr.io/google-samples/cassandra:v13".to_owned(),
            "registry.example.com:5000/db/cassandra:5.0".to_owned(),
            "localhost/cassandra".to_owned(),
            "[::1]:5000/cassandra".to_owned(),
            "10.0.0.1:5000/a/b/c".to_owned(),
            "my-registry.io/team__x/cass.andra---y:Tag_1.0-rc".to_owned(),
            "Registry.Example.com/cassandra".to_owned(),
            format!("cassandra@{digest}"),
            format!("cassandra:5.0@{digest}"),
        ];
        for image in &good {
            assert_eq!(parse_image(image).as_deref(), Ok(image.as_str()));
        }
    }

    #[test]
    fn a_bad_image_says_which_rule_it_breaks() {
        let cases = [
            (
                "Cassandra:4.1",
                "repository 'Cassandra' must be lower-case;",
            ),
            (
                "gcr.io/Google/cassandra",
                "repository 'Google' must be lower-case;",
            ),
            ("", "must not be empty"),
            ("cassandra 4.1", "must not contain white space"),
            ("cassandra:", "tag '' must be 1 to 128"),
            ("cassandra:.x", "tag '.x' must be"),
            (
                "cassandra@sha256:abc",
                "digest 'sha256:abc' must have 64 lower-case hex",
            ),
            ("cassandra@md5:abc", "digest 'md5:abc' must be sha256:"),
            (
                "db/-cassandra",
                "repository '-cassandra' must be lower-case letters and digits",
            ),
            ("db//cassandra", "repository '' must be"),
            ("a...b", "repository 'a...b' must be"),
            ("a___b", "repository 'a___b' must be"),
            (
                "reg-.io/cassandra",
                "registry 'reg-.io' must be HOST or HOST:PORT",
            ),
            (
                "reg.io:port/cassandra",
                "registry 'reg.io:port' must be HOST",
            ),
            ("[::1/cassandra", "registry '[::1' must be HOST"),
        ];
        for (image, why) in cases {
            let err = parse_image(image).unwrap_err();
            assert!(err.starts_with(why), "{image}: {err}");
            assert!(err.ends_with(IMAGE_FORM), "{image}: {err}");
        }
        let long = format!("{}:1", "a".repeat(256));
        assert!(
            parse_image(&long)
                .unwrap_err()
                .contains("at most 255 characters, not 256")
        );
        assert!(parse_image(&format!("c:{}", "t".repeat(129))).is_err());
    }

    #[test]
    fn rpc_addresses_are_ip_addresses() {
        for good in ["0.0.0.0", "10.1.2.3", "::", "fe80::1"] {
            assert_eq!(parse_ip_address(good).as_deref(), Ok(good));
        }
        for bad in ["localhost", "", "10.0.0", "-1", "1.2.3.4:9042"] {
            assert!(parse_ip_address(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn an_empty_storage_class_is_no_class() {
        assert_eq!(parse_storage_class(""), Ok(StorageClassChoice::NoClass));
        assert_eq!(StorageClassChoice::NoClass.as_str(), "");
        assert_eq!(StorageClassChoice::NoClass.name(), None);
        let fast = parse_storage_class("fast").unwrap();
        assert_eq!(fast.to_string(), "fast");
        assert_eq!(fast.name().map(DnsSubdomain::as_str), Some("fast"));
        let err = parse_storage_class("-fast").unwrap_err();
        assert!(err.ends_with("or '' for no class"), "{err}");
    }

    #[test]
    fn pod_names_are_subdomains() {
        assert_eq!(parse_pod_name("cassandra-2").as_deref(), Ok("cassandra-2"));
        assert!(parse_pod_name("-x").is_err());
    }
}
