package catalog

import "github.com/aigw/aigw/internal/money"

func parse(s string) (money.Rate, error) { return money.ParseRate(s) }
