DROP TABLE bekreftelse_hwm;
DROP TABLE bekreftelse_paa_vegne_av;
DROP TABLE bekreftelser;
DROP TABLE bekreftelse_hendelser;
