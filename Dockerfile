# The API image: the package, its SQL and the slotbase command.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY api ./api
COPY jwks ./jwks
COPY sql ./sql
RUN pip install --no-cache-dir -e . \
 && useradd --system --home /app slotbase \
 && mkdir -p /app/data && chown slotbase /app/data
USER slotbase
EXPOSE 8000
ENV HOST=0.0.0.0 PORT=8000 DATA_DIR=/app/data
CMD ["slotbase", "serve", "--migrate"]
