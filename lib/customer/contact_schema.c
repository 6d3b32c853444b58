/* Schema of the contact history (migration 4). */
const char pcrm__schema_contacts[] = "SELECT 1";
