package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-lockable/lockable/internal/redact"
	"github.com/go-lockable/lockable/provider"
)

// validate checks the resources list, as --validate-only does.
func (c *cli) validate(ctx context.Context, o *options, args []string) error {
	if err := c.subcommand(o, "validate", o.validateFlags, args); err != nil {
		return err
	}
	if _, err := c.config(o); err != nil {
		return err
	}
	return c.validateList(ctx, o.resources)
}

// validateList loads and checks the list at name. Each problem goes to
// stderr on a line of its own, "file:line:column: [index]: message", as
// compilers write them; a valid list is told on stdout.
func (c *cli) validateList(ctx context.Context, name string) error {
	list, err := provider.Open(name).Resources(ctx)
	var ve *provider.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintln(c.stderr, c.secrets.String(ve.Error()))
		n := len(ve.Problems) + ve.Omitted
		return fmt.Errorf("%s: invalid resources list: %d %s", ve.Source, n, plural(n, "problem"))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s: valid, %d %s\n", redact.URL(name), len(list), plural(len(list), "resource"))
	return nil
}

// plural is word for one, word+"s" (or the plural given) for more.
func plural(n int, word string, pl ...string) string {
	switch {
	case n == 1:
		return word
	case len(pl) > 0:
		return pl[0]
	}
	return word + "s"
}
