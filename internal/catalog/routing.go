package catalog

import "fmt"

// RoutingRules is routing_rules.yaml. This cut holds model aliases; deployments,
// strategies and fallbacks extend it.
type RoutingRules struct {
	// Aliases maps a name clients may send to a model id of models.yaml.
	Aliases map[string]string `yaml:"aliases"`
}

func loadRoutingRules(path string, models map[string]*Model) (*RoutingRules, error) {
	var r RoutingRules
	if err := decodeStrict(path, &r); err != nil {
		return nil, err
	}
	for alias, target := range r.Aliases {
		if _, clash := models[alias]; clash {
			return nil, fmt.Errorf("%s: alias %q hides the model of the same name", path, alias)
		}
		if _, ok := models[target]; !ok {
			return nil, fmt.Errorf("%s: alias %q points to %q, which is not in models.yaml", path, alias, target)
		}
	}
	if r.Aliases == nil {
		r.Aliases = map[string]string{}
	}
	return &r, nil
}
