"""Placeholder until the audit screen lands."""
import streamlit as st

st.write("audit")
