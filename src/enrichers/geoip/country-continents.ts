/**
 * ISO 3166-1 country → continent, as GeoNames (and so MaxMind's `continent.code`) assigns them.
 * The `@ip-location-db` city databases carry only the country code, so the continent and the
 * country's English name (via `Intl.DisplayNames`) are derived here.
 */
const CONTINENT_COUNTRIES: Readonly<Record<string, string>> = {
  AF: 'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  AN: 'AQ BV GS HM TF',
  AS: 'AE AF AM AZ BD BH BN BT CC CN CX GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE',
  EU: 'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK',
  NA: 'AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI',
  OC: 'AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS',
  SA: 'AR BO BR CL CO EC FK GF GY PE PY SR UY VE',
};

/** Continent codes → English names (ECS `geo.continent_name`, as MaxMind spells them). */
export const CONTINENT_NAMES: Readonly<Record<string, string>> = {
  AF: 'Africa',
  AN: 'Antarctica',
  AS: 'Asia',
  EU: 'Europe',
  NA: 'North America',
  OC: 'Oceania',
  SA: 'South America',
};

const COUNTRY_CONTINENT = new Map<string, string>();
for (const [continent, countries] of Object.entries(CONTINENT_COUNTRIES)) {
  for (const country of countries.split(' ')) COUNTRY_CONTINENT.set(country, continent);
}

/** The continent code of an ISO 3166-1 alpha-2 country code, or undefined when unknown. */
export function continentOf(countryIsoCode: string): string | undefined {
  return COUNTRY_CONTINENT.get(countryIsoCode);
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** The English name of an ISO 3166-1 alpha-2 country code (from ICU), or undefined when unknown. */
export function countryName(countryIsoCode: string): string | undefined {
  try {
    return regionNames.of(countryIsoCode) ?? undefined;
  } catch {
    return undefined;
  }
}
