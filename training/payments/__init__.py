"""Payments with Stripe Checkout: paid sessions and agency fees, verified webhooks, refunds, waivers."""
