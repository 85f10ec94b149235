CREATE TABLE accounts (
    id      int PRIMARY KEY,
    balance int NOT NULL
);
INSERT INTO accounts (id, balance) VALUES (1, 100), (2, 100);
