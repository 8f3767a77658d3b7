/** Product objects the sandbox answers (risk level, score, checks, enrichment data) for each outcome. */
import type { RiskLevel } from '../../core/levels.js';
import type { ResultType } from '../../core/verdict.js';

/** Score the sandbox gives each level (Defastra ranges: low 0, medium 1-20, high 21-40, extreme 41-100). */
export const SANDBOX_SCORES: Readonly<Record<RiskLevel, number>> = {
  low: 0,
  medium: 12,
  high: 34,
  extreme: 88,
};
/** Score of a disposable-domain email (level high). */
export const DISPOSABLE_SCORE = 38;

type WireCheck = { result_type: ResultType; detail: string };
type WireChecks = Record<string, WireCheck>;

export interface WireProduct {
  risk_level: RiskLevel;
  risk_score: number;
  checks: WireChecks;
  data: Record<string, unknown>;
}

const risk = (detail: string): WireCheck => ({ result_type: 'risk', detail });
const trust = (detail: string): WireCheck => ({ result_type: 'trust', detail });
const neutral = (detail: string): WireCheck => ({ result_type: 'neutral', detail });

const NO_BREACH = {
  breached: false,
  breach_count: 0,
  first_breach_date: null,
  what_leaked: null,
  breaches: null,
};
const OLD_BREACHES = {
  breached: true,
  breach_count: 2,
  first_breach_date: '2012-05-05',
  what_leaked: ['email', 'password'],
  breaches: [
    { name: 'LinkedIn', date: '2012-05-05' },
    { name: 'Canva', date: '2019-05-24' },
  ],
};
const MANY_BREACHES = {
  breached: true,
  breach_count: 41,
  first_breach_date: '2016-01-10',
  what_leaked: ['email', 'password', 'name'],
  breaches: [{ name: 'Combolist', date: '2016-01-10' }],
};

const MAIN_PROVIDERS: readonly string[] = [
  'gmail.com',
  'outlook.com',
  'hotmail.com',
  'yahoo.com',
  'icloud.com',
];

const emailChecks = (level: RiskLevel, disposable: boolean, mainProvider: boolean): WireChecks => {
  const provider: WireChecks = mainProvider
    ? { EMAIL_MAIN_PROVIDER: trust('A real account exists at the mail provider') }
    : { EMAIL_DOMAIN: neutral('The domain has been registered for years') };
  if (disposable) {
    return {
      EMAIL_DISPOSABLE: risk('The address was found on a temporary mail service: https://temp-mail.example/'),
      EMAIL_DOMAIN: risk('The domain belongs to a temporary mail service'),
      EMAIL_ONLINE_VELOCITY: risk('The address is not registered on any online service'),
      EMAIL_DELIVERABILITY: trust('The mailbox accepts mail'),
      EMAIL_DATA_BREACH: neutral('This address is not present in any data breaches'),
    };
  }
  switch (level) {
    case 'low':
      return {
        EMAIL_DISPOSABLE: trust('The address is not listed on any temporary mail service'),
        EMAIL_DELIVERABILITY: trust('The mailbox exists and accepts mail'),
        EMAIL_ALIAS: neutral('No alias pattern in the address'),
        EMAIL_NAME_CONSISTENCY: trust('The names found on 3 services match'),
        ...provider,
        EMAIL_ONLINE_VELOCITY: trust('Registered on a usual number of services'),
        EMAIL_DATA_BREACH: neutral('Present in 2 data breaches, which is common'),
      };
    case 'medium':
      return {
        EMAIL_DISPOSABLE: trust('The address is not listed on any temporary mail service'),
        EMAIL_DELIVERABILITY: trust('The mailbox exists and accepts mail'),
        EMAIL_NAME_CONSISTENCY: risk('The names found on 2 services differ'),
        ...provider,
        EMAIL_ONLINE_VELOCITY: trust('Registered on a usual number of services'),
      };
    case 'high':
      return {
        EMAIL_DISPOSABLE: trust('The address is not listed on any temporary mail service'),
        EMAIL_DOMAIN: risk('The domain was registered 3 weeks ago'),
        EMAIL_ONLINE_VELOCITY: risk('The address is not registered on any online service'),
        EMAIL_DELIVERABILITY: trust('The mailbox accepts mail'),
        EMAIL_DATA_BREACH: neutral('This address is not present in any data breaches'),
      };
    case 'extreme':
      return {
        EMAIL_DISPOSABLE: risk(
          'The address was found on a temporary mail service: https://temp-mail.example/',
        ),
        EMAIL_BLACKLISTED: risk('The address was banned by a large online service'),
        EMAIL_DELIVERABILITY: risk('The mailbox does not accept mail'),
        EMAIL_ONLINE_VELOCITY: risk('Registered on far more services than usual: a shared address'),
        EMAIL_DATA_BREACH: risk('Present in 41 data breaches, far more than usual'),
      };
  }
};

/** The `deep_email_check` object. Only the domain of the address appears in it, never the address. */
export const emailProduct = (email: string, level: RiskLevel, disposable = false): WireProduct => {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const mainProvider = MAIN_PROVIDERS.includes(domain);
  const risky = disposable || level === 'high' || level === 'extreme';
  return {
    risk_level: level,
    risk_score: disposable ? DISPOSABLE_SCORE : SANDBOX_SCORES[level],
    checks: emailChecks(level, disposable, mainProvider),
    data: {
      email_online_presence: risky
        ? { profile_found: level === 'extreme' ? 212 : 0, name_found: [] }
        : {
            profile_found: 5,
            name_found: [
              { service: 'google', name: 'Jane Doe' },
              { service: 'airbnb', name: level === 'medium' ? 'Robert' : 'Jane' },
            ],
          },
      email_data_breaches: level === 'extreme' ? MANY_BREACHES : risky ? NO_BREACH : OLD_BREACHES,
      email_domain: {
        domain,
        is_main_provider: mainProvider,
        creation_date: risky ? '2026-11-01' : mainProvider ? '1995-08-13' : '2009-03-17',
      },
    },
  };
};

interface Country {
  prefix: string;
  name: string | null;
  code: string | null;
  iso3: string | null;
  timeZone: number | null;
  city: string | null;
  state: string | null;
  mainCarrier: string;
}

const COUNTRIES: readonly Country[] = [
  {
    prefix: '1',
    name: 'United-States',
    code: 'US',
    iso3: 'USA',
    timeZone: -5,
    city: 'Chicago',
    state: 'IL',
    mainCarrier: 'Verizon',
  },
  {
    prefix: '33',
    name: 'France',
    code: 'FR',
    iso3: 'FRA',
    timeZone: 1,
    city: 'Paris',
    state: null,
    mainCarrier: 'Orange',
  },
  {
    prefix: '44',
    name: 'United-Kingdom',
    code: 'GB',
    iso3: 'GBR',
    timeZone: 0,
    city: 'London',
    state: null,
    mainCarrier: 'EE',
  },
  {
    prefix: '49',
    name: 'Germany',
    code: 'DE',
    iso3: 'DEU',
    timeZone: 1,
    city: 'Berlin',
    state: null,
    mainCarrier: 'Telekom',
  },
];

const countryOf = (digits: string): Country =>
  COUNTRIES.find((country) => digits.startsWith(country.prefix)) ?? {
    prefix: digits.slice(0, 2),
    name: null,
    code: null,
    iso3: null,
    timeZone: null,
    city: null,
    state: null,
    mainCarrier: 'Unknown Mobile',
  };

const CARRIER: Readonly<Record<RiskLevel, (country: Country) => string>> = {
  low: (country) => country.mainCarrier,
  medium: () => 'Example Small Mobile',
  high: () => 'Example Voice',
  extreme: () => 'Example Prepaid',
};

const phoneChecks = (level: RiskLevel, country: Country, carrier: string): WireChecks => {
  const where = country.code ?? 'its country';
  switch (level) {
    case 'low':
      return {
        PHONE_DISPOSABLE: trust('Not listed on any free SMS service'),
        PHONE_CARRIER: trust(`${carrier} is a main mobile carrier in ${where}`),
        PHONE_OS: trust('An Android device is live on this number'),
        PHONE_TYPE: trust('The phone number type is mobile'),
        PHONE_DATA_BREACH: trust('Present in a 2019 breach: the number has been in use for years'),
      };
    case 'medium':
      return {
        PHONE_DISPOSABLE: trust('Not listed on any free SMS service'),
        PHONE_CARRIER: risk(`${carrier} is not one of the main mobile carriers in ${where}`),
        PHONE_OS: trust('An iOS device is live on this number'),
        PHONE_TYPE: trust('The phone number type is mobile'),
        PHONE_DATA_BREACH: neutral('This phone number is not present in any data breaches'),
      };
    case 'high':
      return {
        PHONE_DISPOSABLE: trust('Not listed on any free SMS service'),
        PHONE_CARRIER: risk(`The carrier '${carrier}' sells virtual numbers`),
        PHONE_OS: risk(`No Android or iOS device is live on this number, which is unusual for ${where}`),
        PHONE_TYPE: risk('The phone number type is VOIP'),
        PHONE_DATA_BREACH: neutral('This phone number is not present in any data breaches'),
      };
    case 'extreme':
      return {
        PHONE_DISPOSABLE: risk(
          'The number was found on a free temporary SMS service: https://sms-receive.example/',
        ),
        PHONE_CARRIER: risk(`The carrier '${carrier}' is mostly associated with fraud`),
        PHONE_OS: risk(`No Android or iOS device is live on this number, which is unusual for ${where}`),
        PHONE_BLACKMARKET_PRESENCE: risk(`Linked to a service that is unusual for a ${where} number`),
        PHONE_IS_BLACKLISTED: risk('This number was banned by a large online service'),
        PHONE_TYPE: trust('The phone number type is mobile'),
        PHONE_DATA_BREACH: neutral('This phone number is not present in any data breaches'),
        PHONE_CONSISTENCY: neutral('Not enough online presence to check country consistency'),
      };
  }
};

const PHONE_OS: Readonly<Record<RiskLevel, string>> = {
  low: 'ANDROID',
  medium: 'IOS',
  high: 'NONE',
  extreme: 'NONE',
};

/** The `deep_phone_check` object for a number given as digits (country code first). */
export const phoneProduct = (digits: string, level: RiskLevel): WireProduct => {
  const country = countryOf(digits);
  const carrier = CARRIER[level](country);
  return {
    risk_level: level,
    risk_score: SANDBOX_SCORES[level],
    checks: phoneChecks(level, country, carrier),
    data: {
      phone_hlr: {
        phone_type: level === 'high' ? 'VOIP' : 'MOBILE',
        prefix: country.prefix,
        without_prefix: digits.slice(country.prefix.length),
        carrier,
        location: {
          country_name: country.name,
          country_code: country.code,
          country_iso_3: country.iso3,
          time_zone: country.timeZone,
          city: country.city,
          state: country.state,
          county: null,
          latitude: null,
          longitude: null,
        },
      },
      phone_os: PHONE_OS[level],
      phone_online_presence: {
        profile_found: level === 'low' ? 6 : level === 'extreme' ? 4 : 1,
        name_found:
          level === 'extreme'
            ? [{ service: 'telegram', name: 'Support Desk 24' }]
            : level === 'low'
              ? [{ service: 'skype', name: 'Lucas M.' }]
              : [],
      },
      phone_data_breaches:
        level === 'low'
          ? {
              breached: true,
              breach_count: 1,
              first_breach_date: '2019-08-01',
              what_leaked: ['phone'],
              breaches: [{ name: 'Facebook', date: '2019-08-01' }],
            }
          : NO_BREACH,
    },
  };
};
