DROP TABLE inbox_items;
