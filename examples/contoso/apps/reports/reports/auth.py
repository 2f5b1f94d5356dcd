"""Credentials for the nightly reports job (written for aad-pod-identity, msrestazure era)."""
import os

from msrestazure.azure_active_directory import MSIAuthentication


def management_credentials():
    # The job's user-assigned identity, selected by client ID.
    return MSIAuthentication(client_id=os.environ["REPORTS_IDENTITY_CLIENT_ID"], resource="https://management.azure.com/")
