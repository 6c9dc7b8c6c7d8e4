"""The reference browser client: the booking page (/book/{org slug}) and the staff day view
(/staff), plain HTML, CSS and JavaScript modules that use nothing but the public REST API.

May import: `api.common` (problem answers).
"""
