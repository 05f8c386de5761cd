-- One database per service, as the native stack creates (infra/native/manifest.json "databases").
CREATE DATABASE users;
CREATE DATABASE orders;
CREATE DATABASE payments;
