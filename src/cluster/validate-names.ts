// Names, labels and addresses checked as the apiserver checks them, with its own words
// (k8s.io/apimachinery pkg/util/validation/validation.go: IsDNS1123Label, IsDNS1123Subdomain,
// IsDNS1035Label, IsQualifiedName, IsValidLabelValue; pkg/apis/core/validation for IPs).
// Each function gives the detail after `Invalid value: "<value>": `, or undefined when valid.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** validation.go: DNS1123LabelMaxLength, DNS1123SubdomainMaxLength, LabelValueMaxLength. */
const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;

const maxLen = (n: number): string => `must be no more than ${n} characters`;

export function dns1123Label(value: string): string | undefined {
  if (value.length > LABEL_MAX) return maxLen(LABEL_MAX);
  if (DNS1123_LABEL.test(value)) return undefined;
  return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
}

export function dns1123Subdomain(value: string): string | undefined {
  if (value.length > SUBDOMAIN_MAX) return maxLen(SUBDOMAIN_MAX);
  if (DNS1123_SUBDOMAIN.test(value)) return undefined;
  return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
}

/** Service names are DNS-1035 labels (ValidateServiceName): they become DNS names that may not start with a digit. */
export function dns1035Label(value: string): string | undefined {
  if (value.length > LABEL_MAX) return maxLen(LABEL_MAX);
  if (DNS1035_LABEL.test(value)) return undefined;
  return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
}

/** A label key: an optional DNS-1123 subdomain prefix and `/`, then a name part (IsQualifiedName). */
export function labelKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (prefix === '') return 'prefix part must be non-empty';
    const bad = dns1123Subdomain(prefix);
    if (bad !== undefined) return `prefix part ${bad}`;
  }
  if (name === '') return 'name part must be non-empty';
  if (name.length > LABEL_MAX) return `name part ${maxLen(LABEL_MAX)}`;
  if (QUALIFIED_NAME.test(name)) return undefined;
  return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
}

export function labelValue(value: string): string | undefined {
  if (value.length > LABEL_MAX) return maxLen(LABEL_MAX);
  if (LABEL_VALUE.test(value)) return undefined;
  return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
}

/** A port name (IsValidPortName): at most 15 characters, a letter among them, no `--`. */
export function portName(value: string): string | undefined {
  if (value.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(value)) return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
  if (value.includes('--')) return 'must not contain consecutive hyphens';
  if (!/[a-z]/.test(value)) return 'must contain at least one letter (a-z)';
  if (value.startsWith('-') || value.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** IPv4 dotted quad or an IPv6 address, as netutils.ParseIPSloppy accepts them (no zone, no leading zeros check). */
export function ipFamilyOf(value: string): 'IPv4' | 'IPv6' | undefined {
  if (IPV4.test(value)) return 'IPv4';
  if (value.includes(':') && /^[0-9A-Fa-f:.]+$/.test(value) && isIPv6(value)) return 'IPv6';
  return undefined;
}

function isIPv6(value: string): boolean {
  const double = value.split('::');
  if (double.length > 2) return false;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const all = [...groups(double[0]), ...(double.length === 2 ? groups(double[1]) : [])];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (i === all.length - 1 && g.includes('.')) {
      if (!IPV4.test(g)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) count += 1;
    else return false;
  }
  return double.length === 2 ? count < 8 : count === 8;
}

/** The apiserver's words for a malformed IP (validation.IsValidIP). */
export const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
